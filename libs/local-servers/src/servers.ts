import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_ROLE, provisioningSql, RoleService, SERVICE_ROLES } from '@inviaro/persistence';
import { Client, escapeIdentifier } from 'pg';
import { NatsAuth, natsAuth, rememberNatsCredentials } from './nats-auth';
import { freshPasswords, ServerPasswords } from './passwords';
import { freePort, launch, ManagedProcess } from './processes';

/**
 * Real NATS (JetStream), Redis and PostgreSQL for a test suite or for the start command, from the
 * source asked for (ServerSource); the start command asks for none: explicit NATS_URL / REDIS_URL /
 * DATABASE_URL win, else containers where a Docker engine answers, else Debian's binaries.
 */
export interface ServerSet {
  natsUrl: string;
  redisUrl: string;
  /** A database of this set's own, as its owner role (migrations, the CLI); migrated by whoever uses it. */
  databaseUrl: string;
  /** The same database as each service's own role, which holds only that service's grants. */
  serviceDatabaseUrls: Record<RoleService, string>;
  /** The server processes this set started (none for servers it was given; reading one of containers or of `env` servers throws). */
  processes: { nats?: ServerHandle; redis?: ServerHandle; postgres?: ServerHandle };
  stop(): Promise<void>;
}

/** A server process that a fault test may kill and start again on the same port and data. */
export interface ServerHandle {
  url: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** The running process's id (the benchmark reads its CPU time from /proc); undefined while it is down. */
  pid(): number | undefined;
}

/**
 * Where the servers come from: `local`, Debian's binaries on free loopback ports in a folder of their own
 * (each a handle a fault test may kill); `docker`, containers through testcontainers; `env`, the servers
 * NATS_URL / REDIS_URL / DATABASE_URL name (all three required).
 */
export const SERVER_SOURCES = ['local', 'docker', 'env'] as const;
export type ServerSource = (typeof SERVER_SOURCES)[number];

export interface ServerOptions {
  /** Default: the start command's choice (explicit URLs, else Docker where it answers, else local). */
  source?: ServerSource;
  /** Keep data here across runs (the start command); default: a temporary folder removed on stop. */
  dataDir?: string;
  /** Faster and unsafe on power loss: right for tests, wrong for the start command. */
  durable?: boolean;
  /** Use (and create once) this database; default: a fresh one per call, so that suites share no state. */
  database?: string;
  /** NATS_URL / REDIS_URL / DATABASE_URL given here are used instead of starting that server (`local`, `docker`); `env` reads all three (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Write each server's output to `<logDir>/<server>.log`. */
  logDir?: string;
  /** Each process in a process group of its own (the start command): a terminal's Ctrl-C reaches only the start command, which stops them in order. */
  detached?: boolean;
  /** Redis's, PostgreSQL's and the database roles' passwords; default: fresh ones. The start command keeps its own in .run/. */
  passwords?: ServerPasswords;
  /** NATS users with every right besides the system's (the test harness's own). */
  extraNatsUsers?: readonly string[];
  /** More settings for a PostgreSQL this set starts (`-c name=value`): a benchmark's `shared_preload_libraries`. */
  postgresSettings?: Readonly<Record<string, string>>;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest PostgreSQL installed (Debian keeps each major version in /usr/lib/postgresql/<version>/bin). */
export function postgresBin(): string {
  const versions = existsSync(POSTGRES_ROOT) ? readdirSync(POSTGRES_ROOT).filter((version) => existsSync(join(POSTGRES_ROOT, version, 'bin', 'postgres'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error(`no PostgreSQL server in ${POSTGRES_ROOT}/<version>/bin: run scripts/install-prerequisites.sh`);
  return join(POSTGRES_ROOT, newest, 'bin');
}

const URL_VARIABLES = ['NATS_URL', 'REDIS_URL', 'DATABASE_URL'] as const;

/**
 * An explicit DATABASE_URL names a server and a superuser on it: the set makes the database roles
 * there (docs/operations.md#database-roles) and a database of its own, as it does on its own server.
 */
export async function startServers(options: ServerOptions = {}): Promise<ServerSet> {
  const passwords = options.passwords ?? freshPasswords();
  const source = options.source ?? (await startCommandSource(options.env ?? process.env));
  if (source === 'env') {
    const env = options.env ?? process.env;
    const missing = URL_VARIABLES.filter((name) => !env[name]);
    if (missing.length) throw new Error(`servers from the environment: ${missing.join(', ')} not set`);
    const database = await provisionDatabase(env.DATABASE_URL!, passwords, options.database);
    return { natsUrl: env.NATS_URL!, redisUrl: env.REDIS_URL!, ...database, processes: noHandles(source), stop: async () => undefined };
  }
  const env = options.env ?? (options.source ? {} : process.env);
  if (source === 'docker') return startContainers(env, passwords, options.extraNatsUsers);
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'inviaro-'));
  mkdirSync(root, { recursive: true });
  const started: ServerSet['processes'] = {};
  let database: Awaited<ReturnType<typeof provisionDatabase>>;
  try {
    if (!env.NATS_URL) started.nats = await natsServer(join(root, 'nats'), options);
    if (!env.REDIS_URL) started.redis = await redisServer(join(root, 'redis'), passwords.redis, options);
    if (!env.DATABASE_URL) started.postgres = await postgresServer(join(root, 'postgres'), passwords.postgres, options);
    database = await provisionDatabase(env.DATABASE_URL ?? started.postgres!.url, passwords, options.database);
  } catch (error) {
    await Promise.allSettled(Object.values(started).map((server) => server.kill('SIGKILL')));
    throw error;
  }
  return {
    natsUrl: env.NATS_URL ?? started.nats!.url,
    redisUrl: env.REDIS_URL ?? started.redis!.url,
    ...database,
    processes: started,
    async stop() {
      await Promise.allSettled(Object.values(started).map((server) => server.kill('SIGTERM')));
      if (!options.dataDir) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Wraps a server binary so that it can be killed and started again with the same port and data. */
export async function restartable(name: string, url: string, start: () => Promise<ManagedProcess>): Promise<ServerHandle> {
  let current: ManagedProcess | undefined = await start();
  return {
    url,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      await current?.stop(signal);
      current = undefined;
    },
    async start() {
      if (current) throw new Error(`${name} is already running`);
      current = await start();
    },
    pid: () => current?.child.pid,
  };
}

export interface NatsServerOptions {
  logDir?: string;
  /** In a process group of its own (the start command's servers: Ctrl-C reaches only the start command). */
  detached?: boolean;
  /** Serve TLS with this certificate (clients then connect to the `tls://` URL). */
  tls?: { certFile: string; keyFile: string };
  /** NATS users with every right besides the system's (the test harness's own). */
  extraNatsUsers?: readonly string[];
}

/** nats-server with JetStream, every client authenticated and held to its user's permissions (nats-auth.ts). */
export async function natsServer(dir: string, options: NatsServerOptions = {}): Promise<ServerHandle & { auth: NatsAuth }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const auth = natsAuth(options.extraNatsUsers);
  // Passwords in a file only this user reads, next to the data (a temporary folder, or .run/ for the start command).
  const configFile = join(dir, 'auth.conf');
  const tls = options.tls ? `tls {\n  cert_file: ${JSON.stringify(options.tls.certFile)}\n  key_file: ${JSON.stringify(options.tls.keyFile)}\n}\n` : '';
  writeFileSync(configFile, auth.config + tls, { mode: 0o600 });
  const args = ['-c', configFile, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir];
  const url = `${options.tls ? 'tls' : 'nats'}://127.0.0.1:${port}`;
  rememberNatsCredentials(url, auth.credentials);
  const handle = await restartable('nats-server', url, () =>
    launch('nats-server', 'nats-server', args, { readyWhen: /Server is ready/, log: logFile(options, 'nats'), detached: options.detached }),
  );
  return { ...handle, auth };
}

async function redisServer(dir: string, password: string, options: ServerOptions): Promise<ServerHandle> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  // The decrypted-secret cache: password required, never written to disk. The password goes in a
  // configuration file only this user reads: a command-line argument would show in every user's process list.
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  const args = [configFile, '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir];
  return restartable('redis-server', `redis://:${password}@127.0.0.1:${port}`, () =>
    launch('redis-server', 'redis-server', args, { readyWhen: /Ready to accept connections/, log: logFile(options, 'redis'), detached: options.detached }),
  );
}

async function postgresServer(dir: string, superuserPassword: string, options: ServerOptions): Promise<ServerHandle> {
  // PostgreSQL will not run as root: as root, run its binaries as the postgres user (directly, so that signals reach them).
  const as = process.getuid?.() === 0 ? postgresUser() : {};
  const root = join(dir, '..');
  // The server's OS user may pass through the folder to its data (group postgres, --x) but not write in it:
  // the folder holds every other server's passwords (`npm start`: .run/).
  if (as.gid !== undefined) {
    chownSync(root, process.getuid!(), as.gid);
    chmodSync(root, 0o710);
  }
  const bin = postgresBin();
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    const pwfile = join(root, 'pg-password');
    writeFileSync(pwfile, superuserPassword, { mode: 0o600 });
    if (as.uid !== undefined) for (const path of [dir, pwfile]) chownSync(path, as.uid, as.gid!);
    execFileSync(
      join(bin, 'initdb'),
      ['-D', dir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'],
      { stdio: 'pipe', ...as },
    );
    rmSync(pwfile);
  }
  const port = await freePort();
  const settings = ['-c', 'listen_addresses=127.0.0.1', '-p', String(port), '-k', dir, '-c', 'max_connections=200'];
  if (!options.durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  for (const [name, value] of Object.entries(options.postgresSettings ?? {})) settings.push('-c', `${name}=${value}`);
  return restartable('postgres', `postgres://postgres:${superuserPassword}@127.0.0.1:${port}/postgres`, () =>
    launch('postgres', join(bin, 'postgres'), ['-D', dir, ...settings], {
      readyWhen: /ready to accept connections/,
      log: logFile(options, 'postgres'),
      detached: options.detached,
      ...as,
    }),
  );
}

export function logFile(options: { logDir?: string }, name: string): NodeJS.WritableStream | undefined {
  if (!options.logDir) return undefined;
  mkdirSync(options.logDir, { recursive: true });
  return createWriteStream(join(options.logDir, `${name}.log`), { flags: 'a' });
}

function postgresUser(): { uid?: number; gid?: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * On a server, as its superuser: the database roles (one SQL batch), and a database owned by the
 * owner role (`wanted`, made once, or a fresh one per call, so that suites share no state).
 */
async function provisionDatabase(
  superuserUrl: string,
  passwords: ServerPasswords,
  wanted?: string,
): Promise<Pick<ServerSet, 'databaseUrl' | 'serviceDatabaseUrls'>> {
  const name = wanted ?? `inviaro_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new Client({ connectionString: superuserUrl });
  await client.connect();
  try {
    await client.query(provisioningSql(passwords.roles));
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${escapeIdentifier(name)} OWNER ${escapeIdentifier(OWNER_ROLE)}`);
  } finally {
    await client.end();
  }
  const urlAs = (role: keyof ServerPasswords['roles']) => {
    const url = new URL(superuserUrl);
    url.username = role;
    url.password = passwords.roles[role];
    url.pathname = `/${name}`;
    return url.toString();
  };
  const serviceDatabaseUrls = Object.fromEntries(Object.entries(SERVICE_ROLES).map(([service, role]) => [service, urlAs(role)])) as Record<RoleService, string>;
  return { databaseUrl: urlAs(OWNER_ROLE), serviceDatabaseUrls };
}

/** The start command's servers: all three named by the environment, else containers where Docker answers, else local ones (explicit URLs still win). */
async function startCommandSource(env: NodeJS.ProcessEnv): Promise<ServerSource> {
  if (URL_VARIABLES.every((name) => env[name])) return 'env';
  return (await dockerAnswers()) ? 'docker' : 'local';
}

/** Servers this process cannot kill or restart: a suite that reaches for a handle (a fault test) fails here, saying why. */
function noHandles(source: ServerSource): ServerSet['processes'] {
  const none: ServerSet['processes'] = {};
  return new Proxy(none, {
    get(_target, name) {
      if (typeof name !== 'string' || !['nats', 'redis', 'postgres'].includes(name)) return undefined;
      throw new Error(`no ${name} process to kill or restart with servers from ${source}: this suite needs INVIARO_TEST_SERVERS=local`);
    },
  });
}

async function dockerAnswers(): Promise<boolean> {
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return false;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(env: NodeJS.ProcessEnv, passwords: ServerPasswords, extraNatsUsers?: readonly string[]): Promise<ServerSet> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const auth = natsAuth(extraNatsUsers);
  const containers = await Promise.all([
    env.NATS_URL
      ? undefined
      : new GenericContainer('nats:2.10')
          .withCopyContentToContainer([{ content: auth.config, target: '/etc/nats/auth.conf' }])
          .withCommand(['-js', '-c', '/etc/nats/auth.conf'])
          .withExposedPorts(4222)
          .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
          .start(),
    env.REDIS_URL
      ? undefined
      : new GenericContainer('redis:7')
          .withCommand(['redis-server', '--requirepass', passwords.redis, '--save', '', '--appendonly', 'no'])
          .withExposedPorts(6379)
          .start(),
    env.DATABASE_URL
      ? undefined
      : new GenericContainer('postgres:15')
          .withEnvironment({ POSTGRES_PASSWORD: passwords.postgres })
          .withExposedPorts(5432)
          .withWaitStrategy(Wait.forLogMessage(/ready to accept connections/, 2))
          .start(),
  ]);
  const [nats, redis, postgres] = containers;
  const address = (container: (typeof containers)[number], port: number) => `${container!.getHost()}:${container!.getMappedPort(port)}`;
  const database = await provisionDatabase(env.DATABASE_URL ?? `postgres://postgres:${passwords.postgres}@${address(postgres, 5432)}/postgres`, passwords);
  if (nats) rememberNatsCredentials(`nats://${address(nats, 4222)}`, auth.credentials);
  return {
    natsUrl: env.NATS_URL ?? `nats://${address(nats, 4222)}`,
    redisUrl: env.REDIS_URL ?? `redis://:${passwords.redis}@${address(redis, 6379)}`,
    ...database,
    processes: noHandles('docker'),
    async stop() {
      await Promise.allSettled(containers.map(async (container) => container?.stop()));
    },
  };
}
