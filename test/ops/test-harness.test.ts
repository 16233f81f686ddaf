import { assertBuildCurrent, postgresBin, REPO_ROOT, ServerSet, startServers, testServerSource } from '@inviaro/test-harness';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { screenshotsDir } from '../browser/support';

// The harness runs what it says: servers from the source INVIARO_TEST_SERVERS names (local by default, never
// one the shell happens to export), loud where a source cannot give what a suite needs, and never on a stale build.
jest.setTimeout(120_000);

describe('the test harness', () => {
  const shell = { ...process.env };
  const sets: ServerSet[] = [];
  afterEach(() => {
    for (const name of ['INVIARO_TEST_SERVERS', 'INVIARO_SCREENSHOTS_DIR', 'NATS_URL', 'REDIS_URL', 'DATABASE_URL']) {
      if (shell[name] === undefined) delete process.env[name];
      else process.env[name] = shell[name];
    }
  });
  afterAll(() => Promise.allSettled(sets.map((set) => set.stop())));

  it('starts its own servers by default, whatever URLs the shell exports, each a handle to kill', async () => {
    delete process.env.INVIARO_TEST_SERVERS;
    Object.assign(process.env, { NATS_URL: 'nats://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://x@127.0.0.1:1/x' });
    const servers = await startServers();
    sets.push(servers);
    expect(servers.natsUrl).not.toBe(process.env.NATS_URL);
    expect(servers.redisUrl).not.toBe(process.env.REDIS_URL);
    expect(new URL(servers.databaseUrl).port).not.toBe('1');
    expect([servers.processes.nats?.pid(), servers.processes.redis?.pid(), servers.processes.postgres?.pid()]).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
    ]);
  });

  it('takes the servers the environment names with INVIARO_TEST_SERVERS=env, and a suite that needs a server handle fails saying so', async () => {
    const own = sets[0]!;
    Object.assign(process.env, { INVIARO_TEST_SERVERS: 'env', NATS_URL: own.natsUrl, REDIS_URL: own.redisUrl, DATABASE_URL: own.processes.postgres!.url });
    const servers = await startServers();
    sets.push(servers);
    expect([servers.natsUrl, servers.redisUrl]).toEqual([own.natsUrl, own.redisUrl]);
    expect(new URL(servers.databaseUrl).port).toBe(new URL(own.databaseUrl).port);
    expect(() => servers.processes.postgres).toThrow(
      'no postgres process to kill or restart with servers from env: this suite needs INVIARO_TEST_SERVERS=local',
    );
  });

  it('refuses INVIARO_TEST_SERVERS=env without all three URLs, and a source it does not know', async () => {
    Object.assign(process.env, { INVIARO_TEST_SERVERS: 'env', NATS_URL: 'nats://127.0.0.1:1' });
    delete process.env.REDIS_URL;
    delete process.env.DATABASE_URL;
    await expect(startServers()).rejects.toThrow('servers from the environment: REDIS_URL, DATABASE_URL not set');
    expect(() => testServerSource({ INVIARO_TEST_SERVERS: 'auto' })).toThrow('INVIARO_TEST_SERVERS=auto: expected one of local, docker, env');
  });

  it('refuses a build older than its sources', () => {
    const root = mkdtempSync(join(tmpdir(), 'inviaro-build-'));
    const file = (path: string, seconds: number) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '');
      utimesSync(join(root, path), seconds, seconds);
    };
    try {
      file('libs/a/src/a.ts', 1_000);
      file('dist/libs/a/src/a.js', 2_000);
      file('apps/widget/src/main.ts', 1_000);
      file('dist/apps/widget/v1.js', 2_000);
      expect(() => assertBuildCurrent(root)).not.toThrow();
      file('libs/a/src/a.ts', 3_000);
      expect(() => assertBuildCurrent(root)).toThrow('dist/ is older than libs/a/src/a.ts: run `npm run build`');
      file('dist/libs/a/src/a.js', 3_000);
      file('apps/widget/src/main.ts', 3_000);
      expect(() => assertBuildCurrent(root)).toThrow('dist/ is older than apps/widget/src');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds the PostgreSQL installed, whatever its version', () => {
    expect(postgresBin()).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
  });

  it('takes the suites’ screenshots outside the checkout: only `npm run screenshots` writes the README’s', () => {
    delete process.env.INVIARO_SCREENSHOTS_DIR;
    expect(relative(REPO_ROOT, screenshotsDir())).toMatch(/^\.\.\//);
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.screenshots).toContain('INVIARO_SCREENSHOTS_DIR=docs/screenshots jest test/browser/delivery.test.ts');
  });
});
