import { onlyRow } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Widget, WIDGET_COLUMNS } from '../../widget-row';
import { workspaceWidget } from '../workspace-widget';
import { SetIdentityRequirementCommand } from './set-identity-requirement.command';

/**
 * Enforce mode (docs/identity-required.md): in force on every gateway instance when this returns, because
 * the gateway reads `identity_required` with the visitor's row on every message and identify, never cached.
 */
@Injectable()
export class SetIdentityRequirement {
  constructor(private readonly db: Pool) {}

  async execute(command: SetIdentityRequirementCommand): Promise<Widget> {
    const widget = await workspaceWidget(this.db, command);
    return onlyRow<Widget>(
      this.db,
      `UPDATE widgets SET identity_required = COALESCE($2, identity_required), sign_in_prompt = COALESCE($3, sign_in_prompt)
        WHERE id = $1 RETURNING ${WIDGET_COLUMNS}`,
      [widget.id, command.identityRequired ?? null, command.signInPrompt ?? null],
    );
  }
}
