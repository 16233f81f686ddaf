import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RunningSystem, startSystem } from '@inviaro/test-harness';

const ROOT = join(__dirname, '..', '..');
const RUN_DIR = join(ROOT, '.run');
const DEMO_ORIGIN = process.env.DEMO_ORIGIN ?? 'http://127.0.0.1:8090';

/** A demo workspace and widget, made once and kept in .run's database. */
async function demoWidget(system: RunningSystem): Promise<{ key: string }> {
  const [existing] = await system.sql<{ key: string }>(`SELECT key FROM widgets WHERE name = 'Demo widget'`);
  if (existing) return existing;
  const [workspace] = await system.sql<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('Demo') RETURNING id`);
  const key = `wt_${randomBytes(12).toString('hex')}`;
  await system.sql(`INSERT INTO widgets (workspace_id, key, name, allowed_origins) VALUES ($1, $2, 'Demo widget', $3)`, [workspace.id, key, [DEMO_ORIGIN]]);
  return { key };
}

async function main() {
  const system = await startSystem({
    dataDir: RUN_DIR,
    logDir: join(RUN_DIR, 'logs'),
    durable: true,
    database: 'inviaro',
    gatewayPort: Number(process.env.PORT ?? 8080),
  });
  const { key } = await demoWidget(system);
  const gateway = system.gatewayUrl;
  const call = (path: string, body: string) => `curl -s -X POST ${gateway}/v1/widget/${path} -H 'content-type: application/json' -H 'origin: ${DEMO_ORIGIN}' -d '${body}'`;
  console.log(`
Inviaro is running.
  gateway      ${gateway}
  services     ${system.processes.map((p) => `${p.name} ${p.url}/health/ready`).join('\n               ')}
  NATS         ${system.servers.natsUrl}
  PostgreSQL   ${system.servers.databaseUrl}
  logs         ${join(RUN_DIR, 'logs')}

Try it (demo widget key ${key}, allowed origin ${DEMO_ORIGIN}):
  TOKEN=$(${call('visitors', `{"key":"${key}"}`)} | sed -E 's/.*"visitor_token":"([^"]+)".*/\\1/')
  ${call('messages', `{"key":"${key}","visitor_token":"'$TOKEN'","client_message_id":"m1","text":"hello"}`)}
  psql '${system.servers.databaseUrl}' -c 'SELECT text, created_at FROM messages'

Ctrl-C stops everything.`);

  const stop = async () => {
    console.log('stopping…');
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
