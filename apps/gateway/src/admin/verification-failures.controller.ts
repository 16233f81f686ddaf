import { VerificationFailure, VerificationFailures } from '@inviaro/contracts';
import { decodeCursor, firstRow, keysetPage, queryRows } from '@inviaro/persistence';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { ListFailuresQuery } from './admin.dto';
import { AdminApi, Answers } from '../http/documented';

export interface FailureRow {
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
}

/** The columns a FailureRow reads. */
export const FAILURE_COLUMNS = 'id, widget_id, visitor_id, claimed_user_id, distinct_user_ids, reason, count, first_at, at, at::text AS at_exact';

export function toFailure(row: FailureRow): VerificationFailure {
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

/**
 * The support trail of failed identity claims, newest first. Repeats of one visitor's claim with one
 * reason are one entry: `count` times, from `first_at` to `last_at` (`at` is `last_at`, kept for old readers).
 * Past its first few claimed ids, a visitor's further ids with one reason are one entry of their own
 * (`distinct_user_ids` of them, no `claimed_user_id`); `?user_id=` finds every row of an id, folded or not.
 */
@Controller('v1/admin/verification-failures')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class VerificationFailuresController {
  constructor(private readonly db: Pool) {}

  @Get()
  @Answers({ summary: 'failed identity claims, newest first (never a hash or a secret)', status: 200, answer: VerificationFailures, errors: [400, 401, 404] })
  async list(@AdminWorkspace() workspaceId: string, @Query() query: ListFailuresQuery): Promise<VerificationFailures> {
    if (query.widget_id) {
      const widget = await firstRow(this.db, `SELECT 1 FROM widgets WHERE id = $1 AND workspace_id = $2`, [query.widget_id, workspaceId]);
      if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
    }
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw new ApiError(400, 'invalid_request', 'cursor: is not a cursor this API gave');
    const rows = await queryRows<FailureRow>(
      this.db,
      `SELECT ${FAILURE_COLUMNS} FROM verification_failures
       WHERE workspace_id = $1 AND ($2::uuid IS NULL OR widget_id = $2) AND ($3::timestamptz IS NULL OR (at, id) < ($3, $4::uuid))
         AND ($6::text IS NULL AND folded_into IS NULL OR claimed_user_id = $6)
       ORDER BY at DESC, id DESC LIMIT $5`,
      [workspaceId, query.widget_id ?? null, after?.at ?? null, after?.id ?? null, query.limit + 1, query.user_id ?? null],
    );
    const page = keysetPage(rows, query.limit);
    return {
      failures: page.rows.map(toFailure),
      next_cursor: page.next,
    };
  }
}
