/**
 * What an admin token may do (docs/security.md#admin-tokens-and-roles): `admin` everything, `support`
 * only the routes marked open to it (apps/gateway/src/admin/admin-roles.ts).
 */
export const ADMIN_ROLES = ['admin', 'support'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/**
 * Every action the audit log records, and what kind of thing its target is. One list: a branch that
 * adds an audited route adds its action here (docs/security.md#the-audit-log).
 */
export const AUDIT_ACTIONS = {
  'widget.create': 'widget',
  'widget.update': 'widget',
  'widget.delete': 'widget',
  'widget.policy': 'widget',
  'widget.claim_check': 'widget',
  'secret.reveal': 'widget',
  'secret.rotate': 'widget',
  'secret.stage': 'widget',
  'secret.retire': 'widget',
  'token.create': 'token',
  'token.revoke': 'token',
  'contact.erase': 'contact',
  'contact.export': 'contact',
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS) as AuditAction[];
