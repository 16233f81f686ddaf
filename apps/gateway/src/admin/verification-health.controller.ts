import { VerificationHealth, VerificationTotals } from '@inviaro/contracts';
import { queryRows } from '@inviaro/persistence';
import { Controller, Get, Param, ParseUUIDPipe, Query, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { OpenToSupport } from './admin-roles';
import { VerificationHealthQuery } from './admin.dto';
import { AdminApi, Answers } from '../http/documented';
import { workspaceWidget } from './widget-row';

const HOUR_MS = 60 * 60 * 1000;

interface CountRow {
  hour: Date;
  outcome: 'verified' | 'anonymous' | 'failed';
  verified_by: string;
  secret_version: number;
  reason: string;
  count: string;
  last_at: Date;
}

/** Adds one per-hour row (of the verifier's counts) to a tally. */
function addRow(totals: VerificationTotals, row: CountRow): void {
  const count = Number(row.count);
  if (row.outcome === 'anonymous') totals.anonymous += count;
  else if (row.outcome === 'failed') {
    totals.failed.total += count;
    const reason = totals.failed.by_reason.find((entry) => entry.reason === row.reason);
    if (reason) reason.count += count;
    else totals.failed.by_reason.push({ reason: row.reason, count });
  } else {
    totals.verified.total += count;
    if (row.verified_by === 'user_jwt') totals.verified.user_jwt += count;
    else totals.verified.user_hash += count;
    const version = totals.verified.by_secret_version.find((entry) => entry.secret_version === row.secret_version);
    if (version) version.count += count;
    else totals.verified.by_secret_version.push({ secret_version: row.secret_version, count });
  }
}

const emptyTotals = (): VerificationTotals => ({
  verified: { total: 0, user_hash: 0, user_jwt: 0, by_secret_version: [] },
  anonymous: 0,
  failed: { total: 0, by_reason: [] },
});

function ordered<T extends VerificationTotals>(totals: T): T {
  totals.verified.by_secret_version.sort((a, b) => b.secret_version - a.secret_version);
  totals.failed.by_reason.sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  return totals;
}

/**
 * How much of a widget's traffic verifies (docs/identity-required.md: when to switch to tokens, retire a
 * staged secret or require identity), from the verifier's per-hour counts.
 */
@Controller('v1/admin/widgets/:id/verification')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class VerificationHealthController {
  constructor(private readonly db: Pool) {}

  @Get()
  @OpenToSupport()
  @Answers({
    summary: 'the widget’s verification health: verified (by claim kind and secret version), anonymous and failed (by reason), per hour',
    status: 200,
    answer: VerificationHealth,
    errors: [400, 401, 404],
  })
  async report(
    @AdminWorkspace() workspaceId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() query: VerificationHealthQuery,
  ): Promise<VerificationHealth> {
    const widget = await workspaceWidget(this.db, { workspaceId, widgetId: id });
    const amount = Number(query.since.slice(0, -1));
    const back = query.since.endsWith('d') ? amount * 24 * HOUR_MS : amount * HOUR_MS;
    // From the start of the hour `back` reaches into: the rows are per hour.
    const since = new Date(Math.floor((Date.now() - back) / HOUR_MS) * HOUR_MS);
    const rows = await queryRows<CountRow>(
      this.db,
      `SELECT hour, outcome, verified_by, secret_version, reason, count, last_at FROM verification_counts WHERE widget_id = $1 AND hour >= $2 ORDER BY hour`,
      [widget.id, since],
    );
    const totals = emptyTotals();
    const hours = new Map<number, VerificationTotals & { hour: string }>();
    for (const row of rows) {
      addRow(totals, row);
      const hour = hours.get(row.hour.getTime()) ?? { hour: row.hour.toISOString(), ...emptyTotals() };
      hours.set(row.hour.getTime(), hour);
      addRow(hour, row);
    }
    const [last] = await queryRows<{ last_at: Date }>(
      this.db,
      `SELECT max(last_at) AS last_at FROM verification_counts WHERE widget_id = $1 AND outcome = 'verified' HAVING max(last_at) IS NOT NULL`,
      [widget.id],
    );
    return {
      widget_id: widget.id,
      since: since.toISOString(),
      totals: ordered(totals),
      hours: [...hours.values()].map(ordered),
      last_verified_at: last ? last.last_at.toISOString() : null,
    };
  }
}
