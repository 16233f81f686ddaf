import { generateMasterKey } from '@inviaro/crypto';
import { removeRunSettings, runDir, runSettingsPath, writeRunSettings } from '@inviaro/observability';
import { createWorkspace, DIST, launch, logFile, natsEnv, REPO_ROOT, RunningSystem, SERVICES, startSystem, Supervisor } from '@inviaro/test-harness';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUN_DIR = runDir(REPO_ROOT);
const LOG_DIR = join(RUN_DIR, 'logs');
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

/** A demo workspace and widget, made once the way a customer makes them. */
async function ensureDemo(system: RunningSystem, state: DemoState): Promise<Required<DemoState>> {
  if (!state.widgetKey) {
    const workspace = await createWorkspace(system, 'Demo');
    const widget = await workspace.admin.createWidget('Demo widget', [DEMO_ORIGIN]);
    const revealed = await workspace.admin.revealSecret(widget.id);
    Object.assign(state, { adminToken: workspace.adminToken, widgetId: widget.id, widgetKey: widget.key, widgetSecret: revealed.body.widget_secret });
    saveState(state);
  }
  return state as Required<DemoState>;
}

/** The services in the order data flows through them (stopped the other way round), then the demo product. */
async function startProcesses(system: RunningSystem, supervisor: Supervisor, state: DemoState): Promise<Required<DemoState>> {
  for (const service of SERVICES) {
    await supervisor.add({ name: service, start: () => system.start(service), describe: (p) => `on ${p.url}` });
  }
  const demo = await ensureDemo(system, state);
  // The demo product: signs its users' ids with the Node SDK and embeds the widget; and the operator inbox.
  await supervisor.add({
    name: 'demo',
    start: () =>
      launch('demo', process.execPath, [join(DIST, 'apps', 'demo', 'src', 'main.js')], {
        env: { ...process.env, GATEWAY_URL: system.gatewayUrl, WIDGET_KEY: demo.widgetKey, WIDGET_SECRET: demo.widgetSecret, ADMIN_TOKEN: demo.adminToken, DEMO_PORT: new URL(DEMO_ORIGIN).port },
        readyWhen: /demo ready on/,
        log: logFile({ logDir: LOG_DIR }, 'demo'),
        detached: true,
      }),
  });
  return demo;
}

/** What the CLI in a second terminal needs to reach this system (see apps/cli/src/environment.ts). */
function connectionSettings(system: RunningSystem, demo: Required<DemoState>): Record<string, string> {
  return {
    // The CLI reaches NATS as the operator's user (docs/security.md#the-event-bus); passwords are new on every start.
    ...natsEnv(system.servers.natsUrl, 'operator'),
    REDIS_URL: system.servers.redisUrl,
    DATABASE_URL: system.servers.databaseUrl,
    INVIARO_MASTER_KEYS: demo.masterKeys,
    INVIARO_GATEWAY_URL: system.gatewayUrl,
    // The demo workspace's: `npx inviaro widget list` works against it out of the box.
    INVIARO_ADMIN_TOKEN: demo.adminToken,
  };
}

async function main() {
  const state = loadState();
  state.claimKeys ??= process.env.INVIARO_CLAIM_KEYS ?? `local:${generateMasterKey()}`;
  saveState(state);
  const system = await startSystem({
    dataDir: RUN_DIR,
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
  const call = (path: string, body: string) => `curl -s -X POST ${gateway}/v1/widget/${path} -H 'content-type: application/json' -H 'origin: ${DEMO_ORIGIN}' -d '${body}'`;
  console.log(`
Inviaro is running.
  demo site    ${DEMO_ORIGIN}          (log in as one of the users, chat; open a second browser to see the same history)
  inbox        ${DEMO_ORIGIN}/inbox    (contacts with a verified badge, conversations, replies, verification failures)
  gateway      ${gateway}  (API description: ${gateway}/docs)
  services     ${system.processes.map((p) => `${p.name} ${p.url}/health/ready`).join('\n               ')}
  NATS         ${system.servers.natsUrl}
  Redis        ${system.servers.redisUrl}
  PostgreSQL   ${system.servers.databaseUrl}
  logs         ${LOG_DIR}
  demo state   ${STATE_FILE} (admin token, widget key and secret)
  settings     ${runSettingsPath(RUN_DIR)} (the CLI of this checkout uses them: try \`npx inviaro events status\`)

Try it (demo widget key ${demo.widgetKey}, allowed origin ${DEMO_ORIGIN}):
  TOKEN=$(${call('visitors', `{"key":"${demo.widgetKey}"}`)} | sed -E 's/.*"visitor_token":"([^"]+)".*/\\1/')
  ${call('messages', `{"key":"${demo.widgetKey}","visitor_token":"'$TOKEN'","client_message_id":"m1","text":"hello"}`)}
  psql '${system.servers.databaseUrl}' -c 'SELECT text, created_at FROM messages'

A service that exits is restarted (reported here). Ctrl-C stops everything.`);
}

main().catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
