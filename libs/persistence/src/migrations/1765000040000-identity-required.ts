import { sqlMigration } from './sql-migration';

/**
 * Enforce mode (issue 23): a widget that requires identity refuses a message or identify without a
 * claim that verifies, and its widget shows `sign_in_prompt` (null: the widget's default text) in
 * place of the composer. Off by default: the customer docs' behaviour.
 */
export class IdentityRequired1765000040000 extends sqlMigration({
  up: `
      ALTER TABLE widgets
        ADD COLUMN identity_required boolean NOT NULL DEFAULT false,
        ADD COLUMN sign_in_prompt text NULL;
    `,
  down: ['ALTER TABLE widgets DROP COLUMN identity_required, DROP COLUMN sign_in_prompt'],
}) {}
