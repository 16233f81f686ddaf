import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enforce mode (issue 23): a widget that requires identity refuses a message or identify without a
 * claim that verifies, and its widget shows `sign_in_prompt` (null: the widget's default text) in
 * place of the composer. Off by default: the customer docs' behaviour.
 */
export class IdentityRequired1765000040000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE widgets
        ADD COLUMN identity_required boolean NOT NULL DEFAULT false,
        ADD COLUMN sign_in_prompt text NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE widgets DROP COLUMN identity_required, DROP COLUMN sign_in_prompt');
  }
}
