import { sqlMigration } from './sql-migration';

/**
 * Bounded failure records: repeats of one (widget, visitor, claimed user id, reason) fold into one row
 * with a count, a first and a last time, so that a spoofer repeating a claim writes one row, not millions.
 * Retention (docs/data-model.md) prunes rows by `at`, the last time seen, and old visitor_events by received_at.
 */
export class FailureFolding1764000004000 extends sqlMigration({
  up: `
      ALTER TABLE verification_failures
        ADD COLUMN visitor_id uuid REFERENCES visitors(id),
        ADD COLUMN count integer NOT NULL DEFAULT 1 CHECK (count >= 1),
        ADD COLUMN first_at timestamptz;
      UPDATE verification_failures SET first_at = at;
      ALTER TABLE verification_failures ALTER COLUMN first_at SET NOT NULL;
      -- correlation_id is now the last folded event's: it tells a redelivery of that event from a repeat.
      ALTER TABLE verification_failures DROP CONSTRAINT verification_failures_correlation_id_key;
      -- The fold key. Rows from before this migration have no visitor and stay as they were until retention prunes them.
      CREATE UNIQUE INDEX verification_failures_fold ON verification_failures (widget_id, visitor_id, claimed_user_id, reason)
        NULLS NOT DISTINCT WHERE visitor_id IS NOT NULL;
      -- Retention deletes by age across workspaces.
      CREATE INDEX verification_failures_at ON verification_failures (at);
      CREATE INDEX visitor_events_received_at ON visitor_events (received_at);
    `,
  down: [
    `
      DROP INDEX visitor_events_received_at, verification_failures_at, verification_failures_fold;
      DELETE FROM verification_failures a USING verification_failures b WHERE a.correlation_id = b.correlation_id AND a.id > b.id;
      ALTER TABLE verification_failures ADD CONSTRAINT verification_failures_correlation_id_key UNIQUE (correlation_id);
      ALTER TABLE verification_failures DROP COLUMN visitor_id, DROP COLUMN count, DROP COLUMN first_at;
    `,
  ],
}) {}
