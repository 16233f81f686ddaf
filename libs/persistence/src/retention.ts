import { SERVICE_LOGGER } from '@inviaro/observability';
import { OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Logger } from 'pino';
import { Pool } from 'pg';
import { onlyRow } from './sql';

const HOUR_MS = 60 * 60 * 1000;
/** Rows per DELETE: short statements, so that pruning a large backlog never holds locks for long. */
const BATCH = 5_000;

/** What a retention period no longer keeps, in one table. */
export type RetentionRule =
  | {
      table: string;
      /** The table's key column. */
      key: string;
      /** A SELECT of the keys of the rows to delete; `$1` is the retention period in days. */
      expired: string;
    }
  | {
      table: string;
      /**
       * For a table its service may not DELETE from (an append-only log): a statement that deletes one batch
       * through a function running with the owner's rights and answers how many went as `n` ($1 days, $2 batch).
       */
      prune: string;
    };

/**
 * Deletes what a retention period no longer keeps: shortly after start, then every hour, in batches
 * until none is left. Every instance may run it; a DELETE of what another instance already deleted
 * deletes nothing. A failed run is logged and tried again the next hour.
 */
class RetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly db: Pool,
    private readonly logger: Logger,
    private readonly rule: RetentionRule,
    private readonly days: number,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => {
      this.running ??= this.prune().finally(() => (this.running = undefined));
    };
    setImmediate(run);
    this.timer = setInterval(run, HOUR_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async prune(): Promise<void> {
    const { table } = this.rule;
    const statement =
      'prune' in this.rule
        ? this.rule.prune
        : `WITH gone AS (DELETE FROM ${table} WHERE ${this.rule.key} IN (${this.rule.expired} LIMIT $2) RETURNING 1) SELECT count(*)::int AS n FROM gone`;
    let pruned = 0;
    try {
      let batch = BATCH;
      while (batch === BATCH && !this.stopped) {
        const row = await onlyRow<{ n: number }>(this.db, statement, [this.days, BATCH]);
        batch = row.n;
        pruned += batch;
      }
    } catch (error) {
      this.logger.warn({ table, error: error instanceof Error ? error.message : String(error) }, 'retention run failed; next try in an hour');
    }
    if (pruned > 0) this.logger.info({ table, pruned, retention_days: this.days }, 'retention pruned old rows');
  }
}

/** A provider that runs `rule` with a retention period of `days` in the service that lists it. */
export function retentionJob(rule: RetentionRule, days: number): Provider {
  return {
    provide: `retention:${rule.table}`,
    useFactory: (db: Pool, logger: Logger) => new RetentionJob(db, logger, rule, days),
    inject: [Pool, SERVICE_LOGGER],
  };
}
