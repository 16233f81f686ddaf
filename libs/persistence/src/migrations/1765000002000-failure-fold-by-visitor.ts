import { sqlMigration } from './sql-migration';

/**
 * One visitor's failures with many claimed ids fold into one row per (widget, visitor, reason), so a
 * spoofer trying made-up ids cannot bury the real failures (issue 21). Past the first few ids, each
 * further id keeps its own row (its count, findable by that id) marked `folded_into` the visitor's row,
 * which carries the sum of their counts and `distinct_user_ids`; the list shows the visitor's row only.
 * A folded row has no claimed id. Retention deletes by `at`: a visitor's row is seen last of all its ids,
 * and deleting it deletes the ids folded into it.
 */
export class FailureFoldByVisitor1765000002000 extends sqlMigration({
  up: `
      ALTER TABLE verification_failures
        ADD COLUMN distinct_user_ids integer CHECK (distinct_user_ids >= 1),
        ADD COLUMN folded_into uuid REFERENCES verification_failures(id) ON DELETE CASCADE,
        ADD CONSTRAINT verification_failures_folded_row CHECK (distinct_user_ids IS NULL OR (claimed_user_id IS NULL AND folded_into IS NULL AND visitor_id IS NOT NULL));
      -- The fold key of one claimed id leaves the visitors' rows out (their claimed id is null too).
      DROP INDEX verification_failures_fold;
      CREATE UNIQUE INDEX verification_failures_fold ON verification_failures (widget_id, visitor_id, claimed_user_id, reason)
        NULLS NOT DISTINCT WHERE visitor_id IS NOT NULL AND distinct_user_ids IS NULL;
      CREATE UNIQUE INDEX verification_failures_visitor_fold ON verification_failures (widget_id, visitor_id, reason) WHERE distinct_user_ids IS NOT NULL;
      -- The list reads the rows not folded away; a search by claimed id reads them all.
      DROP INDEX verification_failures_workspace_at, verification_failures_widget_at;
      CREATE INDEX verification_failures_workspace_at ON verification_failures (workspace_id, at DESC, id DESC) WHERE folded_into IS NULL;
      CREATE INDEX verification_failures_widget_at ON verification_failures (widget_id, at DESC, id DESC) WHERE folded_into IS NULL;
      CREATE INDEX verification_failures_claimed ON verification_failures (workspace_id, claimed_user_id, at DESC, id DESC);
      -- For the cascade when retention deletes a visitor's row.
      CREATE INDEX verification_failures_folded_into ON verification_failures (folded_into) WHERE folded_into IS NOT NULL;
    `,
  down: [
    `
      UPDATE verification_failures SET folded_into = NULL WHERE folded_into IS NOT NULL;
      DELETE FROM verification_failures WHERE distinct_user_ids IS NOT NULL;
      DROP INDEX verification_failures_folded_into, verification_failures_claimed, verification_failures_widget_at, verification_failures_workspace_at,
        verification_failures_visitor_fold, verification_failures_fold;
      CREATE INDEX verification_failures_workspace_at ON verification_failures (workspace_id, at DESC, id DESC);
      CREATE INDEX verification_failures_widget_at ON verification_failures (widget_id, at DESC, id DESC);
      CREATE UNIQUE INDEX verification_failures_fold ON verification_failures (widget_id, visitor_id, claimed_user_id, reason)
        NULLS NOT DISTINCT WHERE visitor_id IS NOT NULL;
      ALTER TABLE verification_failures DROP CONSTRAINT verification_failures_folded_row, DROP COLUMN folded_into, DROP COLUMN distinct_user_ids;
    `,
  ],
}) {}
