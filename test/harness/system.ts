import { LocalSystem, startLocalSystem, SystemOptions } from '@inviaro/local-servers';
import { Pool } from 'pg';
import { nth } from './items';
import { HARNESS_USER } from './nats-auth';

export interface RunningSystem extends LocalSystem {
  /** SQL as the database's owner (every table; the services each see only theirs). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The first row of a query the test expects rows from. */
  sqlRow<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T>;
}

/** The system as `npm start` runs it (libs/local-servers), with the harness's NATS user and SQL for the test. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const system = await startLocalSystem({ ...options, extraNatsUsers: [HARNESS_USER] });
  // A pool, so that a PostgreSQL restart (a fault test) costs its broken connections, not the test run.
  const db = new Pool({ connectionString: system.servers.databaseUrl, max: 4 });
  db.on('error', () => undefined);
  const sql = async <T>(text: string, params?: unknown[]) => (await db.query(text, params)).rows as T[];
  let stopped: Promise<void> | undefined;
  return {
    ...system,
    sql,
    sqlRow: async <T>(text: string, params?: unknown[]) => nth(await sql<T>(text, params), 0),
    /** Safe to call more than once (a test may stop early; afterAll stops again). */
    stop() {
      stopped ??= (async () => {
        await db.end();
        await system.stop();
      })();
      return stopped;
    },
  };
}
