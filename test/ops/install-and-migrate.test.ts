import { REPO_ROOT, ServerSet, startServers } from '@inviaro/test-harness';
import { execFile } from 'node:child_process';

// The package scripts a new user runs, as they run them (from the build: `npm run build` first).
jest.setTimeout(180_000);

const npm = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; output: string }> =>
  new Promise((resolve) =>
    execFile('npm', args, { cwd: REPO_ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: stdout + stderr })),
  );

describe('the package scripts', () => {
  let servers: ServerSet;
  beforeAll(async () => {
    servers = await startServers();
  });
  afterAll(() => servers?.stop());

  test('npm run migrate applies the migrations once, then finds the schema up to date', async () => {
    const env = { ...process.env, DATABASE_URL: servers.databaseUrl };
    const first = await npm(['run', 'migrate'], env);
    expect(first).toEqual({ code: 0, output: expect.stringMatching(/applied: \w+/) });
    const second = await npm(['run', 'migrate'], env);
    expect(second).toEqual({ code: 0, output: expect.stringContaining('schema is up to date') });
  });

  test('every install script of the dependency tree is approved or denied in allowScripts (a quiet install)', async () => {
    const pending = await npm(['approve-scripts', '--allow-scripts-pending']);
    expect(pending).toEqual({ code: 0, output: expect.stringContaining('No packages with unreviewed install scripts.') });
  });
});
