import { ClaimFailureReason, MessageLandings, VerificationFailure } from '@inviaro/contracts';
import { RequestClient } from '@inviaro/bus';
import { KeysetPosition, queryChange, queryRows } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { askService } from '../http/ask-service';

interface FailureRow {
  id: string;
  widget_id: string;
  visitor_id: string | null;
  claimed_user_id: string | null;
  /** Set on a visitor's row of folded ids (its claimed_user_id is null). */
  distinct_user_ids: number | null;
  reason: string;
  count: number;
  first_at: Date;
  /** The last time seen: the list is ordered by it. */
  at: Date;
  /** `at` to the microsecond, for the cursor: a Date would round it to milliseconds. */
  at_exact: string;
  /** The event this row last counted: a message's id, unless it was an identify. */
  correlation_id: string;
}

export interface FailureFilters {
  widgetId?: string;
  /** Every row of this claimed user id, also one folded into a visitor's row. */
  userId?: string;
  reason?: ClaimFailureReason;
  since?: Date;
  visitorIds?: string[];
  after: KeysetPosition | null;
  /** null: every row (an export). */
  limit: number | null;
}

/** A failure record as the admin API lists it, with the row's id and exact time for the cursor. */
export type ListedFailure = VerificationFailure & Pick<FailureRow, 'id' | 'at_exact'>;

/** The record as answered, without its cursor fields. */
export function answerOf({ id: _id, at_exact: _at, ...failure }: ListedFailure): VerificationFailure {
  return failure;
}

/**
 * The support trail's records, newest first, each with where its last message is now: the contact
 * and conversation the contacts service reports (a fold moves a thread, so it is asked, not stored).
 */
@Injectable()
export class FailureRecords {
  constructor(
    private readonly db: Pool,
    private readonly requests: RequestClient,
  ) {}

  async list(workspaceId: string, filters: FailureFilters): Promise<ListedFailure[]> {
    const rows = await this.rows(workspaceId, filters);
    const landings = rows.length
      ? await askService(() => this.requests.request(MessageLandings, { workspace_id: workspaceId, message_ids: rows.map((row) => row.correlation_id) }))
      : { landings: [] };
    const landed = new Map(landings.landings.map((landing) => [landing.message_id, landing]));
    return rows.map((row) => ({
      id: row.id,
      at_exact: row.at_exact,
      ...recordOf(row),
      contact_id: landed.get(row.correlation_id)?.contact_id ?? null,
      conversation_id: landed.get(row.correlation_id)?.conversation_id ?? null,
    }));
  }

  /** Every record of a claimed user id, newest first, as held (an export): where its messages are now is not asked. */
  async ofUser(workspaceId: string, userId: string): Promise<VerificationFailure[]> {
    const rows = await this.rows(workspaceId, { userId, after: null, limit: null });
    return rows.map((row) => ({ ...recordOf(row), contact_id: null, conversation_id: null }));
  }

  /** Erasure: every record of a claimed user id goes (rows folded into a visitor's row included); how many went. */
  async eraseUser(workspaceId: string, userId: string): Promise<number> {
    const { count } = await queryChange(this.db, `DELETE FROM verification_failures WHERE workspace_id = $1 AND claimed_user_id = $2`, [workspaceId, userId]);
    return count;
  }

  private rows(workspaceId: string, filters: FailureFilters): Promise<FailureRow[]> {
    return queryRows<FailureRow>(
      this.db,
      `SELECT id, widget_id, visitor_id, claimed_user_id, distinct_user_ids, reason, count, first_at, at, at::text AS at_exact, correlation_id
       FROM verification_failures
       WHERE workspace_id = $1 AND ($2::uuid IS NULL OR widget_id = $2) AND ($3::timestamptz IS NULL OR (at, id) < ($3, $4::uuid))
         AND ($6::text IS NULL AND folded_into IS NULL OR claimed_user_id = $6)
         AND ($7::text IS NULL OR reason = $7) AND ($8::timestamptz IS NULL OR at >= $8) AND ($9::uuid[] IS NULL OR visitor_id = ANY($9))
       ORDER BY at DESC, id DESC LIMIT $5`,
      [
        workspaceId,
        filters.widgetId ?? null,
        filters.after?.at ?? null,
        filters.after?.id ?? null,
        filters.limit,
        filters.userId ?? null,
        filters.reason ?? null,
        filters.since ?? null,
        filters.visitorIds ?? null,
      ],
    );
  }
}

/** What a row says, in the API's fields (`at` and `last_at` are both the last time seen). */
function recordOf(row: FailureRow): Omit<VerificationFailure, 'contact_id' | 'conversation_id'> {
  return {
    widget_id: row.widget_id,
    visitor_id: row.visitor_id,
    claimed_user_id: row.claimed_user_id,
    distinct_user_ids: row.distinct_user_ids,
    reason: row.reason,
    at: row.at.toISOString(),
    count: row.count,
    first_at: row.first_at.toISOString(),
    last_at: row.at.toISOString(),
  };
}
