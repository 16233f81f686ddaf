import { VerificationFailures } from '@inviaro/contracts';
import { decodeCursor, keysetPage } from '@inviaro/persistence';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { OpenToSupport } from './admin-roles';
import { ListFailuresQuery } from './admin.dto';
import { AdminApi, Answers } from '../http/documented';
import { answerOf, FailureRecords } from './failure-records';
import { workspaceWidget } from './widget-row';

/**
 * The support trail of failed identity claims, newest first. Repeats of one visitor's claim with one
 * reason are one entry: `count` times, from `first_at` to `last_at` (`at` is `last_at`, kept for old readers).
 * Past its first few claimed ids, a visitor's further ids with one reason are one entry of their own
 * (`distinct_user_ids` of them, no `claimed_user_id`); `?user_id=` finds every row of an id, folded or not.
 * Each entry names the contact and conversation its last message is in (failure-records.ts).
 */
@Controller('v1/admin/verification-failures')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class VerificationFailuresController {
  constructor(
    private readonly db: Pool,
    private readonly records: FailureRecords,
  ) {}

  @Get()
  @OpenToSupport()
  @Answers({ summary: 'failed identity claims, newest first (never a hash or a secret)', status: 200, answer: VerificationFailures, errors: [400, 401, 404] })
  async list(@AdminWorkspace() workspaceId: string, @Query() query: ListFailuresQuery): Promise<VerificationFailures> {
    if (query.widget_id) await workspaceWidget(this.db, { workspaceId, widgetId: query.widget_id });
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw new ApiError(400, 'invalid_request', 'cursor: is not a cursor this API gave');
    const rows = await this.records.list(workspaceId, {
      widgetId: query.widget_id,
      userId: query.user_id,
      reason: query.reason,
      since: query.since,
      after,
      limit: query.limit + 1,
    });
    const page = keysetPage(rows, query.limit);
    return { failures: page.rows.map(answerOf), next_cursor: page.next };
  }
}
