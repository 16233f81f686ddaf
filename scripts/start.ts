import { generateMasterKey } from '@inviaro/crypto';
import { createWorkspace, DIST, launch, logFile, REPO_ROOT, RunningSystem, startSystem } from '@inviaro/test-harness';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUN_DIR = join(REPO_ROOT, '.run');
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
  if (existsSync(STATE_FILE)) return JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  return { masterKeys: process.env.INVIARO_MASTER_KEYS ?? `local:${generateMasterKey()}` };
}

function saveState(state: DemoState): void {
  mkdirSync(RUN_DIR, { recursive: true });
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

async function main() {
  const state = loadState();
  state.claimKeys ??= process.env.INVIARO_CLAIM_KEYS ?? `local:${generateMasterKey()}`;
  saveState(state);
  const system = await startSystem({
    dataDir: RUN_DIR,
    logDir: join(RUN_DIR, 'logs'),
    durable: true,
    database: 'inviaro',
    gatewayPort: Number(process.env.PORT ?? 8080),
    masterKeys: state.masterKeys,
    claimKeys: state.claimKeys,
  });
  const demo = await ensureDemo(system, state);
  const gateway = system.gatewayUrl;
  // The demo product: signs its users' ids with the Node SDK and embeds the widget; and the operator inbox.
  const demoSite = await launch('demo', process.execPath, [join(DIST, 'apps', 'demo', 'src', 'main.js')], {
    env: { ...process.env, GATEWAY_URL: gateway, WIDGET_KEY: demo.widgetKey, WIDGET_SECRET: demo.widgetSecret, ADMIN_TOKEN: demo.adminToken, DEMO_PORT: new URL(DEMO_ORIGIN).port },
    readyWhen: /demo ready on/,
    log: logFile({ logDir: join(RUN_DIR, 'logs') }, 'demo'),
  });
  const call = (path: string, body: string) => `curl -s -X POST ${gateway}/v1/widget/${path} -H 'content-type: application/json' -H 'origin: ${DEMO_ORIGIN}' -d '${body}'`;
  console.log(`
Inviaro is running.
  demo site    ${DEMO_ORIGIN}          (log in as one of the users, chat; open a second browser to see the same history)
  inbox        ${DEMO_ORIGIN}/inbox    (contacts with a verified badge, conversations, replies, verification failures)
  gateway      ${gateway}
  services     ${system.processes.map((p) => `${p.name} ${p.url}/health/ready`).join('\n               ')}
  NATS         ${system.servers.natsUrl}
  Redis        ${system.servers.redisUrl}
  PostgreSQL   ${system.servers.databaseUrl}
  logs         ${join(RUN_DIR, 'logs')}
  demo state   ${STATE_FILE} (admin token, widget key and secret)

Try it (demo widget key ${demo.widgetKey}, allowed origin ${DEMO_ORIGIN}):
  TOKEN=$(${call('visitors', `{"key":"${demo.widgetKey}"}`)} | sed -E 's/.*"visitor_token":"([^"]+)".*/\\1/')
  ${call('messages', `{"key":"${demo.widgetKey}","visitor_token":"'$TOKEN'","client_message_id":"m1","text":"hello"}`)}
  psql '${system.servers.databaseUrl}' -c 'SELECT text, created_at FROM messages'

Ctrl-C stops everything.`);

  const stop = async () => {
    console.log('stopping…');
    await demoSite.stop();
    await system.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
