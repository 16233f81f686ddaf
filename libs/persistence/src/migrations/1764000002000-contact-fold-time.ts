import { sqlMigration } from './sql-migration';

export class ContactFoldTime1764000002000 extends sqlMigration({
  up: `
      -- When an anonymous contact was folded: an anonymous message sent before that moment but
      -- delivered after it belongs where in-order delivery would have put it (the verified contact).
      ALTER TABLE contacts ADD COLUMN merged_at timestamptz;
      ALTER TABLE contacts ADD CONSTRAINT contact_merged_with_time CHECK ((merged_into_id IS NULL) = (merged_at IS NULL));
      CREATE INDEX contacts_visitor ON contacts (visitor_id) WHERE visitor_id IS NOT NULL;
    `,
  down: ['DROP INDEX contacts_visitor; ALTER TABLE contacts DROP CONSTRAINT contact_merged_with_time, DROP COLUMN merged_at'],
}) {}
