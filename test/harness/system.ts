import { generateMasterKey } from '@inviaro/crypto';
import { runMigrations } from '@inviaro/persistence';
import { join } from 'node:path';
import { Pool } from 'pg';
import { launch, freePort, ManagedProcess } from './processes';
import { natsEnv } from './nats-auth';
import { nth } from './items';
import { DIST } from './paths';
import { logFile, ServerOptions, ServerSet, startServers } from './servers';

export const SERVICES = ['gateway', 'verifier', 'contacts'] as const;
export type ServiceName = (typeof SERVICES)[number];


export interface ServiceProcess extends ManagedProcess {
  /** Where it answers HTTP (health, metrics; the API for the gateway). */
  url: string;
}

export interface RunningSystem {
  servers: ServerSet;
  gatewayUrl: string;
  /** Every running service process, by name; several instances of one service are allowed. */
  processes: ServiceProcess[];
  /** Another instance; `nodeArgs` go to node itself (e.g. `--cpu-prof`). */
  start(service: ServiceName, extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ServiceProcess>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The first row of a query the test expects rows from. */
  sqlRow<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export interface SystemOptions extends ServerOptions {
  services?: readonly ServiceName[];
  /** Default: a free port. */
  gatewayPort?: number;
  /** The key ring sealing widget secrets; default: a fresh one. */
  masterKeys?: string;
  /** The key ring sealing claims on the bus (gateway and verifier); default: a fresh one. */
  claimKeys?: string;
  /** More environment for every service (e.g. lower rate limits). */
  serviceEnv?: NodeJS.ProcessEnv;
}

/** Real servers, a migrated database, and the services as real processes. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const servers = await startServers(options);
  const processes: ServiceProcess[] = [];
  // A pool, so that a PostgreSQL restart (a fault test) costs its broken connections, not the test run.
  const db = new Pool({ connectionString: servers.databaseUrl, max: 4 });
  const sql = async <T>(text: string, params?: unknown[]) => (await db.query(text, params)).rows as T[];
  db.on('error', () => undefined);
  try {
    await runMigrations(servers.databaseUrl);
    const gatewayPort = options.gatewayPort ?? (await freePort());
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: servers.natsUrl,
      REDIS_URL: servers.redisUrl,
      DATABASE_URL: servers.databaseUrl,
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      INVIARO_MASTER_KEYS: options.masterKeys ?? `test:${generateMasterKey()}`,
      INVIARO_CLAIM_KEYS: options.claimKeys ?? `test:${generateMasterKey()}`,
      ...options.serviceEnv,
    };
    const start = async (service: ServiceName, extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) => {
      // The gateway's public port goes to the first gateway running; a restarted one takes it over.
      const portTaken = processes.some((p) => p.name === 'gateway' && p.child.exitCode === null && p.child.signalCode === null);
      const port = service === 'gateway' && !portTaken ? gatewayPort : await freePort();
      const launched = await launch(service, process.execPath, [...nodeArgs, join(DIST, 'apps', service, 'src', 'main.js')], {
        // Each service as its own NATS user, held to that user's permissions.
        env: { ...baseEnv, ...natsEnv(servers.natsUrl, service), PORT: String(port), ...extraEnv },
        readyWhen: /"msg":"ready"/,
        log: logFile(options, service),
        detached: options.detached,
      });
      const child = Object.assign(launched, { url: `http://127.0.0.1:${port}` });
      processes.push(child);
      return child;
    };
    for (const service of options.services ?? SERVICES) await start(service);
    let stopped: Promise<void> | undefined;
    return {
      servers,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      processes,
      start,
      sql,
      sqlRow: async <T>(text: string, params?: unknown[]) => nth(await sql<T>(text, params), 0),
      /** Safe to call more than once (a test may stop early; afterAll stops again). */
      stop() {
        stopped ??= (async () => {
          await Promise.allSettled(processes.map((child) => child.stop('SIGTERM')));
          await db.end();
          await servers.stop();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await Promise.allSettled(processes.map((child) => child.stop('SIGKILL')));
    await db.end().catch(() => undefined);
    await servers.stop();
    throw error;
  }
}
