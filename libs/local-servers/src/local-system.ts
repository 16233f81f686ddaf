import { generateMasterKey } from '@inviaro/crypto';
import { runMigrations } from '@inviaro/persistence';
import { join } from 'node:path';
import { natsEnv } from './nats-auth';
import { DIST } from './paths';
import { freePort, launch, ManagedProcess } from './processes';
import { logFile, ServerOptions, ServerSet, startServers } from './servers';

export const SERVICES = ['gateway', 'verifier', 'contacts'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServiceProcess extends ManagedProcess {
  /** Where it answers HTTP (health, metrics; the API for the gateway). */
  url: string;
}

export interface LocalSystem {
  servers: ServerSet;
  gatewayUrl: string;
  /** Every running service process, by name; several instances of one service are allowed. */
  processes: ServiceProcess[];
  /** Another instance; `nodeArgs` go to node itself (e.g. `--cpu-prof`). */
  start(service: ServiceName, extraEnv?: NodeJS.ProcessEnv, nodeArgs?: string[]): Promise<ServiceProcess>;
  /** Safe to call more than once. */
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

/**
 * Real servers, a database migrated as its owner, and the services as real processes, each as its
 * own NATS user and its own database role: the start command's system, and every system suite's.
 */
export async function startLocalSystem(options: SystemOptions = {}): Promise<LocalSystem> {
  const servers = await startServers(options);
  const processes: ServiceProcess[] = [];
  try {
    await runMigrations(servers.databaseUrl);
    const gatewayPort = options.gatewayPort ?? (await freePort());
    const baseEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NATS_URL: servers.natsUrl,
      REDIS_URL: servers.redisUrl,
      HOST: '127.0.0.1',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      INVIARO_MASTER_KEYS: options.masterKeys ?? `local:${generateMasterKey()}`,
      INVIARO_CLAIM_KEYS: options.claimKeys ?? `local:${generateMasterKey()}`,
      ...options.serviceEnv,
    };
    const start = async (service: ServiceName, extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) => {
      // The gateway's public port goes to the first gateway running; a restarted one takes it over.
      const portTaken = processes.some((p) => p.name === 'gateway' && p.child.exitCode === null && p.child.signalCode === null);
      const port = service === 'gateway' && !portTaken ? gatewayPort : await freePort();
      const launched = await launch(service, process.execPath, [...nodeArgs, join(DIST, 'apps', service, 'src', 'main.js')], {
        // Each service as its own NATS user and its own database role, held to their rights.
        env: { ...baseEnv, ...natsEnv(servers.natsUrl, service), DATABASE_URL: servers.serviceDatabaseUrls[service], PORT: String(port), ...extraEnv },
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
      stop() {
        stopped ??= (async () => {
          await Promise.allSettled(processes.map((child) => child.stop('SIGTERM')));
          await servers.stop();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await Promise.allSettled(processes.map((child) => child.stop('SIGKILL')));
    await servers.stop();
    throw error;
  }
}
