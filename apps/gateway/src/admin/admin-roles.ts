import { SetMetadata } from '@nestjs/common';

export const OPEN_TO_SUPPORT = 'inviaro:admin-open-to-support';

/**
 * The one rule of who may call what (docs/security.md#admin-tokens-and-roles): every admin route needs
 * an `admin` token, unless it carries this mark, which opens it to `support` tokens too. Support reads
 * contacts, conversations and failures, and replies; it never touches secrets, policy, tokens, widgets
 * or the audit log. A new route is closed to support until someone decides otherwise here, and
 * admin-roles.spec.ts lists every admin route with its role, so that decision is reviewed.
 */
export const OpenToSupport = () => SetMetadata(OPEN_TO_SUPPORT, true);
