import { BUS_ROLES } from '@inviaro/bus';
import { CLI, CliRun, freePort, REPO_ROOT, runCli, waitFor } from '@inviaro/test-harness';
import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm start` as a user runs it (from the build: `npm run build` first), in a run folder of its own,
// and the CLI in a "second terminal": the checkout's bin, no connection variables in its environment.
jest.setTimeout(300_000);

const CONNECTION_VARIABLES = ['NATS_URL', 'REDIS_URL', 'DATABASE_URL', 'INVIARO_MASTER_KEYS', 'INVIARO_GATEWAY_URL', 'INVIARO_ADMIN_TOKEN', 'INVIARO_RUN_DIR'];

describe('npm start: a second terminal finds the running system, and what exits is restarted', () => {
  let runDir: string;
  let start: ChildProcessWithoutNullStreams;
  let console_ = '';
  let startExited: Promise<number | null>;

  /** A shell of the user's own: none of the system's variables set, only where this test's run folder is. */
  const terminal = (extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, INVIARO_RUN_DIR: runDir, ...extra };
    for (const name of CONNECTION_VARIABLES) if (!(name in extra) && name !== 'INVIARO_RUN_DIR') delete env[name];
    return env;
  };
  const cli = (args: string[], extra?: NodeJS.ProcessEnv): Promise<CliRun> => runCli(args, terminal(extra));
  const childrenOfStart = () =>
    execFileSync('ps', ['--ppid', String(start.pid), '-o', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ pid: Number(line.trim().split(/\s+/)[0]), args: line.trim() }));

  /** `npm start` in the run folder, resolved once it prints that it is ready. */
  const startCommand = async () => {
    console_ = '';
    const env = terminal({ PORT: String(await freePort()), DEMO_ORIGIN: `http://127.0.0.1:${await freePort()}` });
    start = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'scripts', 'start.js')], { env, cwd: REPO_ROOT });
    start.stdout.on('data', (chunk: Buffer) => (console_ += chunk.toString()));
    start.stderr.on('data', (chunk: Buffer) => (console_ += chunk.toString()));
    startExited = new Promise((resolve) => start.once('exit', (code) => resolve(code)));
    await waitFor('npm start to be ready', async () => (console_.includes('Ctrl-C stops everything') ? true : undefined), 180_000, 200).catch((error) => {
      throw new Error(`${error}\n${console_}`);
    });
  };

  beforeAll(async () => {
    runDir = mkdtempSync(join(tmpdir(), 'inviaro-start-'));
    await startCommand();
  });

  afterAll(async () => {
    if (start.exitCode === null) {
      start.kill('SIGINT');
      await startExited;
    }
    rmSync(runDir, { recursive: true, force: true });
  });

  test('its connection settings are in the run folder, readable by its user only', () => {
    const file = join(runDir, 'connection.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Its user's, not the database's OS user's (which `COPY ... TO PROGRAM` would act as): others get nothing, the
    // group at most passes through (PostgreSQL's OS user, to reach its data in postgres/, when started as root).
    expect(statSync(runDir).uid).toBe(process.getuid!());
    expect(statSync(runDir).mode & 0o067).toBe(0);
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    expect(settings.pid).toBe(start.pid);
    expect(Object.keys(settings.variables)).toEqual(expect.arrayContaining(['NATS_URL', 'DATABASE_URL', 'REDIS_URL', 'INVIARO_GATEWAY_URL']));
  });

  test('generates its Redis and PostgreSQL passwords into the run folder, readable by its user only, and shows them on no command line', () => {
    const file = join(runDir, 'passwords.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const passwords = JSON.parse(readFileSync(file, 'utf8'));
    const all: string[] = [passwords.redis, passwords.postgres, ...Object.values<string>(passwords.roles)];
    expect(Object.keys(passwords.roles).sort()).toEqual(['inviaro', 'inviaro_contacts', 'inviaro_gateway', 'inviaro_verifier']);
    expect(new Set(all).size).toBe(all.length);
    for (const password of all) expect(password).toMatch(/^[\w-]{32}$/);
    // Every process's arguments are readable by every local user.
    const commandLines = childrenOfStart().map((p) => p.args);
    expect(commandLines.some((args) => args.includes('redis-server'))).toBe(true);
    expect(commandLines.filter((args) => all.some((password) => args.includes(password)))).toEqual([]);
    // The CLI works as the owner; the services each as their own role (test/ops/database-roles.test.ts).
    const settings = JSON.parse(readFileSync(join(runDir, 'connection.json'), 'utf8'));
    expect(new URL(settings.variables.DATABASE_URL).username).toBe('inviaro');
  });

  test("its NATS server knows the system's users only: the test harness's user exists in tests alone", () => {
    const config = readFileSync(join(runDir, 'nats', 'auth.conf'), 'utf8');
    expect(statSync(join(runDir, 'nats', 'auth.conf')).mode & 0o777).toBe(0o600);
    expect([...config.matchAll(/user: "([^"]+)"/g)].map((match) => match[1]).sort()).toEqual([...BUS_ROLES].sort());
  });

  test('events status, workspace create and events tail just work; explicit variables win', async () => {
    const status = await cli(['events', 'status', '--json']);
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout).streams.map((s: { name: string }) => s.name)).toContain('INVIARO_EVENTS');

    const created = await cli(['workspace', 'create', '--name', 'Second terminal', '--json']);
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toEqual({ workspace_id: expect.any(String), admin_token: expect.any(String) });

    const elsewhere = await cli(['events', 'status'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('cannot connect to NATS at nats://127.0.0.1:1');

    const tail = spawn(process.execPath, [CLI, 'events', 'tail', '--since', '10m', '--json'], { env: terminal(), cwd: REPO_ROOT });
    let tailed = '';
    tail.stdout.on('data', (chunk: Buffer) => (tailed += chunk.toString()));
    tail.stderr.on('data', (chunk: Buffer) => (tailed += chunk.toString()));
    const demo = JSON.parse(readFileSync(join(runDir, 'demo.json'), 'utf8'));
    const gateway = JSON.parse(readFileSync(join(runDir, 'connection.json'), 'utf8')).variables.INVIARO_GATEWAY_URL;
    const origin = new URL(/demo site\s+(\S+)/.exec(console_)?.[1] ?? 'not printed').origin;
    const post = (path: string, body: object) =>
      fetch(`${gateway}/v1/widget/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ visitor_token: string }>,
      );
    const { visitor_token } = await post('visitors', { key: demo.widgetKey });
    await post('messages', { key: demo.widgetKey, visitor_token, client_message_id: 'second-terminal', text: 'hello' });
    await waitFor('events tail to print message.stored', async () => (tailed.includes('"subject":"message.stored"') ? true : undefined), 60_000).catch(
      (error) => {
        throw new Error(`${error}\n${tailed}`);
      },
    );
    tail.kill('SIGINT');
  });

  test('without a running start, the CLI says what to do', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'inviaro-none-'));
    const run = await cli(['workspace', 'create', '--name', 'X'], { INVIARO_RUN_DIR: empty });
    rmSync(empty, { recursive: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL is not set: export it, or run `npm start` in this checkout');
  });

  test('a service killed with SIGKILL is reported and restarted; Ctrl-C stops everything and removes the settings', async () => {
    const verifier = childrenOfStart().find((p) => p.args.includes('apps/verifier/src/main.js'))!;
    process.kill(verifier.pid, 'SIGKILL');
    await waitFor('the verifier to be restarted', async () => (/verifier restarted \(pid \d+\) on http/.test(console_) ? true : undefined), 60_000).catch(
      (error) => {
        throw new Error(`${error}\n${console_}`);
      },
    );
    expect(console_).toContain(`verifier (pid ${verifier.pid}) was killed by SIGKILL; restarting it in 1 s`);
    expect((await cli(['events', 'status', '--json'])).code).toBe(0);

    const children = childrenOfStart();
    expect(children.length).toBeGreaterThanOrEqual(7); // nats, redis, postgres, gateway, verifier, contacts, demo
    start.kill('SIGINT');
    expect(await startExited).toBe(0);
    expect(existsSync(join(runDir, 'connection.json'))).toBe(false);
    const alive = children.filter((p) => {
      try {
        process.kill(p.pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    expect(console_.split('stopping…')[1]).not.toContain('restart');
  });

  test('started again in the same run folder, it opens its data with the passwords it made the first time', async () => {
    const passwords = readFileSync(join(runDir, 'passwords.json'), 'utf8');
    await startCommand();
    expect(readFileSync(join(runDir, 'passwords.json'), 'utf8')).toBe(passwords);
    // The demo widget made by the first start, read through the gateway from the kept database.
    const widgets = await cli(['widget', 'list', '--json']);
    expect(widgets.stderr).toBe('');
    expect(widgets.stdout).toContain(JSON.parse(readFileSync(join(runDir, 'demo.json'), 'utf8')).widgetId);
    start.kill('SIGINT');
    expect(await startExited).toBe(0);
  });
});
