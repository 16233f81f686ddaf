import { generateMasterKey } from '@inviaro/crypto';
import { DIST, keptPasswords, launch, LocalSystem, logFile, natsEnv, REPO_ROOT, SERVICES, startLocalSystem, Supervisor } from '@inviaro/local-servers';
import { removeRunSettings, runDir, runSettingsPath, writeRunSettings } from '@inviaro/config';
import { createWorkspace, withPool } from '@inviaro/persistence';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUN_DIR = runDir(REPO_ROOT);
const LOG_DIR = join(RUN_DIR, 'logs');
/** Redis's, PostgreSQL's and every database role's passwords: made on the first start, kept with the data they protect. */
const PASSWORDS_FILE = join(RUN_DIR, 'passwords.json');
const DEMO_ORIGIN = process.env.DEMO_ORIGIN ?? 'http://127.0.0.1:8090';

/** What the demo needs across runs; it lives in .run/ (git-ignored), readable by this user only. */
interface DemoState {
  masterKeys: string;
  /** Absent in a .run/ from before claims were sealed: made on the next start. */
  claimKeys?: string;
  adminToken?: string;
  widgetId?: string;
  widgetKey?: string;
  widgetSecret?: string;
}

const STATE_FILE = join(RUN_DIR, 'demo.json');

function loadState(): DemoState {
  if (existsSync(STATE_FILE)) return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as DemoState;
  return { masterKeys: process.env.INVIARO_MASTER_KEYS ?? `local:${generateMasterKey()}` };
}

function saveState(state: DemoState): void {
  mkdirSync(RUN_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), { mode: 0o600 });
}

/** The passwords of an earlier start; a PostgreSQL in .run/ from before they were generated cannot be opened with them. */
function serverPasswords() {
  if (!existsSync(PASSWORDS_FILE) && existsSync(join(RUN_DIR, 'postgres', 'PG_VERSION'))) {
    throw new Error(`${join(RUN_DIR, 'postgres')} was made by an older npm start with a fixed password: remove it (the demo's data) and start again`);
  }
  return keptPasswords(PASSWORDS_FILE);
}

/** A demo workspace (as `npx inviaro workspace create` makes one, as the owner) and widget (through the admin API, as a customer makes one), made once. */
async function ensureDemo(system: LocalSystem, state: DemoState): Promise<Required<DemoState>> {
  if (!state.widgetKey) {
    const workspace = await withPool(system.servers.databaseUrl, (db) => createWorkspace(db, 'Demo'));
    const admin = async <T>(path: string, body?: object): Promise<T> => {
      const response = await fetch(`${system.gatewayUrl}/v1/admin/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${workspace.admin_token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      });
      if (!response.ok) throw new Error(`admin API ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const widget = await admin<{ id: string; key: string }>('widgets', { name: 'Demo widget', allowed_origins: [DEMO_ORIGIN] });
    const revealed = await admin<{ widget_secret: string }>(`widgets/${widget.id}/secret/reveal`);
    Object.assign(state, { adminToken: workspace.admin_token, widgetId: widget.id, widgetKey: widget.key, widgetSecret: revealed.widget_secret });
    saveState(state);
  }
  return state as Required<DemoState>;
}

/** The services in the order data flows through them (stopped the other way round), then the demo product. */
async function startProcesses(system: LocalSystem, supervisor: Supervisor, state: DemoState): Promise<Required<DemoState>> {
  for (const service of SERVICES) {
    await supervisor.add({ name: service, start: () => system.start(service), describe: (p) => `on ${p.url}` });
  }
  const demo = await ensureDemo(system, state);
  // The demo product: signs its users' ids with the Node SDK and embeds the widget; and the operator inbox.
  await supervisor.add({
    name: 'demo',
    start: () =>
      launch('demo', process.execPath, [join(DIST, 'apps', 'demo', 'src', 'main.js')], {
        env: {
          ...process.env,
          GATEWAY_URL: system.gatewayUrl,
          WIDGET_KEY: demo.widgetKey,
          WIDGET_SECRET: demo.widgetSecret,
          ADMIN_TOKEN: demo.adminToken,
          DEMO_PORT: new URL(DEMO_ORIGIN).port,
        },
        readyWhen: /demo ready on/,
        log: logFile({ logDir: LOG_DIR }, 'demo'),
        detached: true,
      }),
  });
  return demo;
}

/** What the CLI in a second terminal needs to reach this system (see apps/cli/src/environment.ts). */
function connectionSettings(system: LocalSystem, demo: Required<DemoState>): Record<string, string> {
  return {
    // The CLI reaches NATS as the operator's user (docs/security.md#the-event-bus); passwords are new on every start.
    ...natsEnv(system.servers.natsUrl, 'operator'),
    REDIS_URL: system.servers.redisUrl,
    // The owner's: the CLI migrates, creates workspaces and reseals secrets (docs/security.md#database-and-cache-credentials).
    DATABASE_URL: system.servers.databaseUrl,
    INVIARO_MASTER_KEYS: demo.masterKeys,
    INVIARO_GATEWAY_URL: system.gatewayUrl,
    // The demo workspace's: `npx inviaro widget list` works against it out of the box.
    INVIARO_ADMIN_TOKEN: demo.adminToken,
  };
}

/** A server's address for the console: passwords stay in the files readable by this user only. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

async function main() {
  const state = loadState();
  state.claimKeys ??= process.env.INVIARO_CLAIM_KEYS ?? `local:${generateMasterKey()}`;
  saveState(state);
  const system = await startLocalSystem({
    dataDir: RUN_DIR,
    passwords: serverPasswords(),
    logDir: LOG_DIR,
    durable: true,
    database: 'inviaro',
    gatewayPort: Number(process.env.PORT ?? 8080),
    masterKeys: state.masterKeys,
    claimKeys: state.claimKeys,
    services: [],
    detached: true,
  });
  const supervisor = new Supervisor();
  const stop = async (exitCode: number) => {
    console.log('stopping…');
    await supervisor.stop();
    await system.stop();
    removeRunSettings(RUN_DIR);
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  let demo: Required<DemoState>;
  try {
    demo = await startProcesses(system, supervisor, state);
  } catch (error) {
    // The processes run in process groups of their own: nothing else would stop them.
    console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    return stop(1);
  }
  const gateway = system.gatewayUrl;
  writeRunSettings(RUN_DIR, connectionSettings(system, demo));
  const call = (path: string, body: string) =>
    `curl -s -X POST ${gateway}/v1/widget/${path} -H 'content-type: application/json' -H 'origin: ${DEMO_ORIGIN}' -d '${body}'`;
  console.log(`
Inviaro is running.
  demo site    ${DEMO_ORIGIN}          (log in as one of the users, chat; open a second browser to see the same history)
  inbox        ${DEMO_ORIGIN}/inbox    (contacts with a verified badge, conversations, replies, verification failures)
  gateway      ${gateway}  (API description: ${gateway}/docs)
  services     ${system.processes.map((p) => `${p.name} ${p.url}/health/ready`).join('\n               ')}
  NATS         ${system.servers.natsUrl}
  Redis        ${withoutPassword(system.servers.redisUrl)}
  PostgreSQL   ${withoutPassword(system.servers.databaseUrl)}
  passwords    ${PASSWORDS_FILE} (Redis, PostgreSQL and its roles; readable by you only)
  logs         ${LOG_DIR}
  demo state   ${STATE_FILE} (admin token, widget key and secret)
  settings     ${runSettingsPath(RUN_DIR)} (the CLI of this checkout uses them: try \`npx inviaro events status\`)

Try it (demo widget key ${demo.widgetKey}, allowed origin ${DEMO_ORIGIN}):
  TOKEN=$(${call('visitors', `{"key":"${demo.widgetKey}"}`)} | sed -E 's/.*"visitor_token":"([^"]+)".*/\\1/')
  ${call('messages', `{"key":"${demo.widgetKey}","visitor_token":"'$TOKEN'","client_message_id":"m1","text":"hello"}`)}
  psql "$(node -p 'require(process.argv[1]).variables.DATABASE_URL' ${runSettingsPath(RUN_DIR)})" -c 'SELECT text, created_at FROM messages'

A service that exits is restarted (reported here). Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
