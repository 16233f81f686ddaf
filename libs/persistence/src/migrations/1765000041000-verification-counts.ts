import { sqlMigration } from './sql-migration';

/**
 * The verification health report (issue 23): per widget and hour, how many claims verified (by
 * claim kind and secret version), how many events came without one, and how many failed (by reason).
 * The verifier adds its counts in batches; `last_at` is the newest event a row counted. No foreign
 * key: a count for a widget deleted meanwhile is harmless and retention removes it.
 */
export class VerificationCounts1765000041000 extends sqlMigration({
  up: `
      CREATE TABLE verification_counts (
        widget_id uuid NOT NULL,
        hour timestamptz NOT NULL CHECK (date_trunc('hour', hour) = hour),
        outcome text NOT NULL CHECK (outcome IN ('verified', 'anonymous', 'failed')),
        -- '' / 0 where the outcome has none: they are part of the key.
        verified_by text NOT NULL DEFAULT '',
        secret_version integer NOT NULL DEFAULT 0,
        reason text NOT NULL DEFAULT '',
        count bigint NOT NULL CHECK (count > 0),
        last_at timestamptz NOT NULL,
        PRIMARY KEY (widget_id, hour, outcome, verified_by, secret_version, reason)
      );
      CREATE INDEX verification_counts_hour ON verification_counts (hour);
    `,
  grants: ['verification_counts'],
  down: ['DROP TABLE verification_counts'],
}) {}
