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
    }
  | {
      table: string;
      /**
       * For a table where old rows may have to stay (the timeline keeps what the fold rule still reads): a statement
       * that examines the next $2 rows of the table's walk order after ($3 time, $4 key), deletes the expired ones
       * ($1 days) and answers how many went as `n`, and the last row examined as `after_at`, `after_key` (null when
       * none was left). A run walks the table once: a batch never reads again the rows an earlier one kept.
       */
      walk: string;
    };

/** Where a walk starts: before every row. */
const WALK_START = { after_at: '-infinity', after_key: '00000000-0000-0000-0000-000000000000' };

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
    const rule = this.rule;
    const { table } = rule;
    let pruned = 0;
    try {
      if ('walk' in rule) pruned = await this.walk(rule.walk);
      else
        pruned = await this.deleteBatches(
          'prune' in rule
            ? rule.prune
            : `WITH gone AS (DELETE FROM ${table} WHERE ${rule.key} IN (${rule.expired} LIMIT $2) RETURNING 1) SELECT count(*)::int AS n FROM gone`,
        );
    } catch (error) {
      this.logger.warn({ table, error: error instanceof Error ? error.message : String(error) }, 'retention run failed; next try in an hour');
    }
    if (pruned > 0) this.logger.info({ table, pruned, retention_days: this.days }, 'retention pruned old rows');
  }

  /** Batches of `statement` until one deletes less than a batch: every row it examines is one to delete. */
  private async deleteBatches(statement: string): Promise<number> {
    let pruned = 0;
    let batch = BATCH;
    while (batch === BATCH && !this.stopped) {
      batch = (await this.batch<{ n: number }>(statement, [this.days, BATCH])).n;
      pruned += batch;
    }
    return pruned;
  }

  /** Batches of `statement`, each after the last row the one before examined, until none is left. */
  private async walk(statement: string): Promise<number> {
    let pruned = 0;
    let after: { after_at: string | null; after_key: string | null } = WALK_START;
    while (after.after_at !== null && !this.stopped) {
      const row = await this.batch<{ n: number; after_at: string | null; after_key: string | null }>(statement, [
        this.days,
        BATCH,
        after.after_at,
        after.after_key,
      ]);
      pruned += row.n;
      after = row;
    }
    return pruned;
  }

  /**
   * One batch, then a rest as long as the batch took: pruning a large backlog takes twice as long, and
   * leaves the server's CPU and disk to the messages of the moment half of the time.
   */
  private async batch<T>(statement: string, parameters: unknown[]): Promise<T> {
    const started = performance.now();
    const row = await onlyRow<T>(this.db, statement, parameters);
    await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    return row;
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
