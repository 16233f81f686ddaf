import { runMigrations } from '@inviaro/persistence';
import { join } from 'node:path';
import { Client } from 'pg';
import { launch, freePort, ManagedProcess } from './processes';
import { ServerSet, startServers, ServerOptions } from './servers';

export const SERVICES = ['gateway', 'verifier', 'contacts'] as const;
export type ServiceName = (typeof SERVICES)[number];

const ROOT = join(__dirname, '..', '..');
/** Where the built services are: the harness runs the real processes, as production does. */
const DIST = ROOT.endsWith('dist') ? ROOT : join(ROOT, 'dist');

export interface RunningSystem {
  servers: ServerSet;
  gatewayUrl: string;
  /** Every running service process, by name; several instances of one service are allowed. */
  processes: ManagedProcess[];
  start(service: ServiceName, extraEnv?: NodeJS.ProcessEnv): Promise<ManagedProcess>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export interface SystemOptions extends ServerOptions {
  services?: readonly ServiceName[];
}

/** Real servers, a migrated database, and the services as real processes. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const servers = await startServers(options);
  const processes: ManagedProcess[] = [];
  const db = new Client({ connectionString: servers.databaseUrl });
  try {
    await runMigrations(servers.databaseUrl);
    await db.connect();
    const gatewayPort = await freePort();
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: servers.natsUrl,
      REDIS_URL: servers.redisUrl,
      DATABASE_URL: servers.databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    };
    const start = async (service: ServiceName, extraEnv: NodeJS.ProcessEnv = {}) => {
      const child = await launch(service, process.execPath, [join(DIST, 'apps', service, 'src', 'main.js')], {
        env: { ...baseEnv, ...extraEnv },
        readyWhen: /"msg":"ready"/,
        echo: options.echo,
      });
      processes.push(child);
      return child;
    };
    for (const service of options.services ?? SERVICES) await start(service);
    return {
      servers,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      processes,
      start,
      sql: async (text, params) => (await db.query(text, params)).rows,
      async stop() {
        await Promise.allSettled(processes.map((child) => child.stop('SIGTERM')));
        await db.end();
        await servers.stop();
      },
    };
  } catch (error) {
    await Promise.allSettled(processes.map((child) => child.stop('SIGKILL')));
    await db.end().catch(() => undefined);
    await servers.stop();
    throw error;
  }
}
