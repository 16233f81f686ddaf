import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A widget can be deleted (issue 24): its row stays, marked, because its conversations and contacts stay
 * and name it; its key stops matching and its secrets are deleted in the same transaction.
 */
export class WidgetDeletion1765000012000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE widgets ADD COLUMN deleted_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE widgets DROP COLUMN deleted_at`);
  }
}
