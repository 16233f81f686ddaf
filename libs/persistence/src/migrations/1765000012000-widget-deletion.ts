import { sqlMigration } from './sql-migration';

/**
 * A widget can be deleted (issue 24): its row stays, marked, because its conversations and contacts stay
 * and name it; its key stops matching and its secrets are deleted in the same transaction.
 */
export class WidgetDeletion1765000012000 extends sqlMigration({
  up: `ALTER TABLE widgets ADD COLUMN deleted_at timestamptz`,
  down: [`ALTER TABLE widgets DROP COLUMN deleted_at`],
}) {}
