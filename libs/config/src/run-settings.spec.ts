import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRunSettings, readRunSettings, removeRunSettings, runSettingsPath, writeRunSettings } from './run-settings';

describe('the connection settings npm start leaves for the CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'run-settings-')), '.run');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  test('are written whole, readable by their user only, and read back while their writer runs', () => {
    writeRunSettings(dir, { NATS_URL: 'nats://127.0.0.1:4333' });
    expect(statSync(runSettingsPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readRunSettings(dir)).toEqual({ pid: process.pid, variables: { NATS_URL: 'nats://127.0.0.1:4333' } });
    removeRunSettings(dir);
    expect(readRunSettings(dir)).toBeUndefined();
  });

  test('of a start command that is gone, or unreadable, are not used', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeRunSettings(dir, { NATS_URL: 'nats://127.0.0.1:4333' });
    const file = runSettingsPath(dir);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), pid: gone }));
    expect(readRunSettings(dir)).toBeUndefined();
    writeFileSync(file, '{"pid":');
    expect(readRunSettings(dir)).toBeUndefined();
  });

  test('fill in only what the environment does not set: explicit variables win', () => {
    const env: NodeJS.ProcessEnv = { NATS_URL: 'nats://mine:4222', DATABASE_URL: '' };
    applyRunSettings(
      { pid: process.pid, variables: { NATS_URL: 'nats://started:4222', DATABASE_URL: 'postgres://started/db', REDIS_URL: 'redis://started' } },
      env,
    );
    expect(env).toEqual({ NATS_URL: 'nats://mine:4222', DATABASE_URL: 'postgres://started/db', REDIS_URL: 'redis://started' });
  });
});
