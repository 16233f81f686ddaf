import { SERVICE_LOGGER } from '@inviaro/observability';
import { execute, RetentionRule } from '@inviaro/persistence';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { Pool } from 'pg';
import { Verdict } from '../claim/claim-verification';

const HOUR_MS = 60 * 60 * 1000;
/** How often the counts in hand are added to PostgreSQL: one statement a second per verifier, whatever the traffic. */
const FLUSH_MS = 1000;

interface Tally {
  widgetId: string;
  hour: number;
  outcome: Verdict['outcome'];
  verifiedBy: string;
  secretVersion: number;
  reason: string;
  count: number;
  lastAt: number;
}

/** Per-hour counts older than VERIFICATION_COUNTS_RETENTION_DAYS (the table has no single key column: its rows' ctid). */
export const VERIFICATION_COUNTS_RETENTION: RetentionRule = {
  table: 'verification_counts',
  key: 'ctid',
  expired: `SELECT ctid FROM verification_counts WHERE hour < now() - make_interval(days => $1)`,
};

/**
 * The verification health report's counts (GET /v1/admin/widgets/{id}/verification): each decided event is
 * counted in memory, off the hot path, and the counts in hand are added to their per-hour rows in one
 * upsert a second (and on shutdown). A failed write keeps them for the next one. Counted once the event's
 * outcome is published: an event redelivered after that (its acknowledgement lost) is counted again, so
 * the report is exact but for such rare repeats.
 */
@Injectable()
export class VerificationCounts implements OnModuleInit, OnApplicationShutdown {
  private tallies = new Map<string, Tally>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly db: Pool,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** An event's verdict, counted in the hour it was decided. */
  count(widgetId: string, verdict: Verdict, now = Date.now()): void {
    const tally: Omit<Tally, 'count' | 'lastAt'> = {
      widgetId,
      hour: now - (now % HOUR_MS),
      outcome: verdict.outcome,
      verifiedBy: verdict.outcome === 'verified' ? verdict.by : '',
      secretVersion: verdict.outcome === 'verified' ? verdict.secretVersion : 0,
      reason: verdict.outcome === 'failed' ? verdict.reason : '',
    };
    this.add({ ...tally, count: 1, lastAt: now });
  }

  private add(tally: Tally): void {
    const key = [tally.widgetId, tally.hour, tally.outcome, tally.verifiedBy, tally.secretVersion, tally.reason].join('|');
    const held = this.tallies.get(key);
    if (held) {
      held.count += tally.count;
      held.lastAt = Math.max(held.lastAt, tally.lastAt);
    } else this.tallies.set(key, { ...tally });
  }

  /** One at a time; what arrives meanwhile waits for the next. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = [...this.tallies.values()];
    if (batch.length === 0) return;
    this.tallies = new Map();
    try {
      await execute(
        this.db,
        `INSERT INTO verification_counts (widget_id, hour, outcome, verified_by, secret_version, reason, count, last_at)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[], $8::timestamptz[])
         ON CONFLICT (widget_id, hour, outcome, verified_by, secret_version, reason) DO UPDATE SET
           count = verification_counts.count + EXCLUDED.count, last_at = GREATEST(verification_counts.last_at, EXCLUDED.last_at)`,
        [
          batch.map((t) => t.widgetId),
          batch.map((t) => new Date(t.hour)),
          batch.map((t) => t.outcome),
          batch.map((t) => t.verifiedBy),
          batch.map((t) => t.secretVersion),
          batch.map((t) => t.reason),
          batch.map((t) => t.count),
          batch.map((t) => new Date(t.lastAt)),
        ],
      );
    } catch (error) {
      for (const tally of batch) this.add(tally);
      this.logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'verification counts not written; kept for the next try');
    }
  }
}
