import { ClaimFailureReason, erasedUserDigest, VisitorEventFields } from '@inviaro/contracts';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { execute, firstRow, onlyRow, Sql, transaction } from '@inviaro/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { Pool } from 'pg';

/**
 * How many distinct claimed ids one visitor's failures with one reason keep as rows of their own; the
 * ids after them fold into one row for the visitor and reason. A real user mistyping or a broken login
 * stays well below it; a spoofer trying made-up ids passes it at once.
 */
export const OWN_ROWS_PER_VISITOR = 5;

interface RecordedId {
  id: string;
  /** The row of the visitor's folded ids this id's row belongs to, if it was folded. */
  folded_into: string | null;
  /** First seen now: a new distinct id of the visitor and reason. */
  inserted: boolean;
}

/**
 * The support team's trail of failed claims: a warning log line and a record listed by
 * `GET /v1/admin/verification-failures`. Never the hash or the secret. Repeats of one widget,
 * visitor, claimed user id and reason fold into one row (count, first and last time), so a
 * flood of one spoofed claim costs one row; a redelivery of the event just folded is not counted again.
 * Past OWN_ROWS_PER_VISITOR distinct ids of one visitor and reason, each further id's row is folded
 * into one row for the visitor and reason (their count and `distinct_user_ids`), which the list shows
 * in their place, so made-up ids cannot push real failures off the first page.
 */
@Injectable()
export class FailureTrail {
  constructor(
    private readonly db: Pool,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async record(event: VisitorEventFields, correlationId: string, reason: ClaimFailureReason, claimedUserId: string | undefined): Promise<void> {
    const recorded = await transaction(this.db, async (tx) => {
      // One visitor's ids with one reason are counted and folded one at a time.
      await execute(tx, `SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text || $3::text, 0))`, [event.widget_id, event.visitor_id, reason]);
      if (claimedUserId !== undefined && (await erasedAfter(tx, event, claimedUserId))) return false;
      const recorded = await firstRow<RecordedId>(
        tx,
        `INSERT INTO verification_failures (workspace_id, widget_id, visitor_id, correlation_id, claimed_user_id, reason, first_at, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (widget_id, visitor_id, claimed_user_id, reason) WHERE visitor_id IS NOT NULL AND distinct_user_ids IS NULL DO UPDATE SET
           count = verification_failures.count + 1,
           first_at = LEAST(verification_failures.first_at, EXCLUDED.first_at),
           at = GREATEST(verification_failures.at, EXCLUDED.at),
           correlation_id = EXCLUDED.correlation_id
         WHERE verification_failures.correlation_id <> EXCLUDED.correlation_id
         RETURNING id, folded_into, xmax = 0 AS inserted`,
        [event.workspace_id, event.widget_id, event.visitor_id, correlationId, claimedUserId ?? null, reason, event.received_at],
      );
      // Nothing returned: a redelivery of the event this row last counted.
      if (recorded && (recorded.folded_into !== null || (recorded.inserted && (await this.pastOwnRows(tx, event, reason))))) {
        await this.foldIntoVisitorRow(tx, event, correlationId, reason, recorded);
      }
      return true;
    });
    // The claimed user was erased after this event was received: no record and no log line names it (docs/security.md#erasure).
    if (!recorded) return;
    this.logger.warn({ widget_id: event.widget_id, claimed_user_id: claimedUserId ?? null, reason, correlation_id: correlationId }, 'identity claim failed');
  }

  /** Has the visitor passed its own rows for this reason: a folded row exists, or its new id is one too many? */
  private async pastOwnRows(tx: Sql, event: VisitorEventFields, reason: ClaimFailureReason): Promise<boolean> {
    const { past } = await onlyRow<{ past: boolean }>(
      tx,
      `SELECT EXISTS (SELECT 1 FROM verification_failures WHERE widget_id = $1 AND visitor_id = $2 AND reason = $3 AND distinct_user_ids IS NOT NULL)
           OR (SELECT count(*) FROM (SELECT 1 FROM verification_failures WHERE widget_id = $1 AND visitor_id = $2 AND reason = $3 AND distinct_user_ids IS NULL LIMIT $4) own) > $5
           AS past`,
      [event.widget_id, event.visitor_id, reason, OWN_ROWS_PER_VISITOR + 1, OWN_ROWS_PER_VISITOR],
    );
    return past;
  }

  /** Counts the failure in the visitor's folded row (a new distinct id if its own row is new) and marks its own row as folded into it. */
  private async foldIntoVisitorRow(tx: Sql, event: VisitorEventFields, correlationId: string, reason: ClaimFailureReason, recorded: RecordedId): Promise<void> {
    await execute(
      tx,
      `WITH visitor_row AS (
         INSERT INTO verification_failures (workspace_id, widget_id, visitor_id, correlation_id, claimed_user_id, reason, first_at, at, distinct_user_ids)
         VALUES ($1, $2, $3, $4, NULL, $5, $6, $6, 1)
         ON CONFLICT (widget_id, visitor_id, reason) WHERE distinct_user_ids IS NOT NULL DO UPDATE SET
           count = verification_failures.count + 1,
           distinct_user_ids = verification_failures.distinct_user_ids + $7,
           first_at = LEAST(verification_failures.first_at, EXCLUDED.first_at),
           at = GREATEST(verification_failures.at, EXCLUDED.at),
           correlation_id = EXCLUDED.correlation_id
         RETURNING id
       )
       UPDATE verification_failures SET folded_into = visitor_row.id FROM visitor_row WHERE verification_failures.id = $8`,
      [event.workspace_id, event.widget_id, event.visitor_id, correlationId, reason, event.received_at, recorded.inserted ? 1 : 0, recorded.id],
    );
  }
}

/** Was the claimed user erased after this event was received (its tombstone, recorded by the contacts service)? */
async function erasedAfter(tx: Sql, event: VisitorEventFields, claimedUserId: string): Promise<boolean> {
  const tombstone = await firstRow(tx, `SELECT 1 FROM erasure_tombstones WHERE workspace_id = $1 AND user_digest = $2 AND erased_at >= $3`, [
    event.workspace_id,
    erasedUserDigest(event.workspace_id, claimedUserId),
    event.received_at,
  ]);
  return tombstone !== undefined;
}
