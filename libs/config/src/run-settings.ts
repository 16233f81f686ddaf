import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm start` leaves the running system's connection settings (environment variables: NATS_URL,
 * DATABASE_URL, credentials, ...) in `<run dir>/connection.json`, readable by its user only, so that
 * the CLI in a second terminal of the same checkout finds the system without exports.
 */
export interface RunSettings {
  /** The start command's process: settings of a start that is gone are not used. */
  pid: number;
  variables: Record<string, string>;
}

const SETTINGS_FILE = 'connection.json';

/** `INVIARO_RUN_DIR`, else `<checkout>/.run`. */
export function runDir(checkout: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.INVIARO_RUN_DIR || join(checkout, '.run');
}

export function runSettingsPath(dir: string): string {
  return join(dir, SETTINGS_FILE);
}

/** Written whole (temporary file, then rename), so a reader never sees half of it; mode 0600 even if the file existed. */
export function writeRunSettings(dir: string, variables: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  const path = runSettingsPath(dir);
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify({ pid: process.pid, variables } satisfies RunSettings, null, 2)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, path);
}

export function removeRunSettings(dir: string): void {
  rmSync(runSettingsPath(dir), { force: true });
}

/** The settings of a start command that is still running, or undefined. */
export function readRunSettings(dir: string): RunSettings | undefined {
  let settings: RunSettings;
  try {
    settings = JSON.parse(readFileSync(runSettingsPath(dir), 'utf8')) as RunSettings;
  } catch {
    return undefined;
  }
  return isRunning(settings.pid) ? settings : undefined;
}

/** Fills in the variables the environment does not set: explicit variables win. */
export function applyRunSettings(settings: RunSettings | undefined, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(settings?.variables ?? {})) {
    if (!env[name]) env[name] = value;
  }
}

function isRunning(pid: unknown): boolean {
  if (typeof pid !== 'number') return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
