import { erasedUserDigest } from '@inviaro/contracts';
import { execute, queryRows, Sql } from '@inviaro/persistence';
import { AttributionInput } from '../attribution/attribution-input';

/**
 * What was erased, so that it stays erased (docs/security.md#erasure): an event received before the
 * erasure of its user, or of its device, is dropped when it is delivered after it (a redelivery, an
 * event that waited in a stream, a re-driven dead letter). An event received after the erasure is new:
 * a user who comes back starts afresh.
 */
export async function recordTombstones(sql: Sql, workspaceId: string, userId: string | null, visitorIds: readonly string[]): Promise<void> {
  await execute(
    sql,
    `INSERT INTO erasure_tombstones (workspace_id, user_digest, erased_at) SELECT $1, $2, now() WHERE $2::text IS NOT NULL
     ON CONFLICT (workspace_id, user_digest) WHERE user_digest IS NOT NULL DO UPDATE SET erased_at = excluded.erased_at`,
    [workspaceId, userId === null ? null : erasedUserDigest(workspaceId, userId)],
  );
  await execute(
    sql,
    `INSERT INTO erasure_tombstones (workspace_id, visitor_id, erased_at) SELECT $1, unnest($2::uuid[]), now()
     ON CONFLICT (visitor_id) WHERE visitor_id IS NOT NULL DO UPDATE SET erased_at = excluded.erased_at`,
    [workspaceId, visitorIds],
  );
}

/** The message ids of the events among `inputs` that an erasure committed before this statement covers. */
export async function erasedEvents(sql: Sql, inputs: readonly AttributionInput[]): Promise<Set<string>> {
  if (inputs.length === 0) return new Set();
  const rows = await queryRows<{ message_id: string }>(
    sql,
    `SELECT e.message_id FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::timestamptz[]) AS e(message_id, workspace_id, visitor_id, user_digest, received_at)
     WHERE EXISTS (SELECT 1 FROM erasure_tombstones t
                   WHERE t.erased_at >= e.received_at AND (t.visitor_id = e.visitor_id OR (t.workspace_id = e.workspace_id AND t.user_digest = e.user_digest)))`,
    [
      inputs.map((input) => input.event.message_id),
      inputs.map((input) => input.event.workspace_id),
      inputs.map((input) => input.event.visitor_id),
      inputs.map((input) => (input.kind === 'verified' ? erasedUserDigest(input.event.workspace_id, input.event.user_id) : null)),
      inputs.map((input) => input.event.received_at),
    ],
  );
  return new Set(rows.map((row) => row.message_id));
}

/** An erasure committed while this transaction waited on a row it held: the transaction starts again, and its first look drops what was erased. */
export class ErasedMeanwhile extends Error {
  override readonly name = 'ErasedMeanwhile';
  /** serialization_failure: what the attribution's retry takes as a race lost (attribution/retry.ts). */
  readonly code = '40001';
}
