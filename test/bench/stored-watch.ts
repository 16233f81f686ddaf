/** What the benchmarks share besides the load generator: when each message was stored, and waiting for it. */
import { connectTestNats, RunningSystem } from '@inviaro/test-harness';
import { Msg, NatsConnection } from 'nats';
import { Pool } from 'pg';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When each message was stored, as a subscriber to the stored notifications learns it. */
export class StoredWatch {
  readonly storedAt = new Map<string, number>();
  duplicates = 0;
  private constructor(private readonly nc: NatsConnection) {}

  static async start(natsUrl: string, subject: string, idsOf: (message: Msg) => string[]): Promise<StoredWatch> {
    const watch = new StoredWatch(await connectTestNats(natsUrl, { noAsyncTraces: true }));
    watch.nc.subscribe(subject, {
      callback: (_error, message) => {
        const now = performance.now();
        for (const id of idsOf(message)) {
          if (watch.storedAt.has(id)) watch.duplicates++;
          else watch.storedAt.set(id, now);
        }
      },
    });
    return watch;
  }

  close() {
    return this.nc.close();
  }
}

/** Until every one of `ids` is stored, or the timeout. */
export async function drain(watch: StoredWatch, ids: string[], timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ids.some((id) => !watch.storedAt.has(id))) await sleep(100);
}

/** The rate limits raised so that a benchmark measures the pipeline, not the limits. */
export const BENCH_LIMITS = {
  RATE_LIMIT_ADDRESS_PER_MINUTE: '10000000',
  RATE_LIMIT_NEW_VISITORS_PER_MINUTE: '100000',
  RATE_LIMIT_VISITOR_PER_MINUTE: '1000000',
  RATE_LIMIT_WIDGET_PER_MINUTE: '10000000',
};

/**
 * A connection to the system's database as PostgreSQL's superuser (its own views of every session;
 * role settings), or undefined when the benchmark did not start PostgreSQL itself (DATABASE_URL given).
 */
export function superuserPool(system: RunningSystem): Pool | undefined {
  const superuserUrl = system.servers.processes.postgres?.url;
  if (!superuserUrl) return undefined;
  const url = new URL(superuserUrl);
  url.pathname = new URL(system.servers.databaseUrl).pathname;
  return new Pool({ connectionString: url.toString(), max: 1 });
}
