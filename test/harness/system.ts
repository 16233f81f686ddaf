import { LocalSystem, REPO_ROOT, startLocalSystem, SystemOptions } from '@inviaro/local-servers';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Pool } from 'pg';
import { nth } from './items';
import { harnessServerOptions } from './servers';

export interface RunningSystem extends LocalSystem {
  /** SQL as the database's owner (every table; the services each see only theirs). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** The first row of a query the test expects rows from. */
  sqlRow<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T>;
}

/** Every file under a folder whose name passes the filter (node_modules never). */
function filesUnder(dir: string, wanted: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && wanted(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The newest modification time of these files (0 for none or a missing one: older than any source). */
function newest(files: string[]): number {
  return Math.max(0, ...files.map((file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}

/**
 * The services, the CLI and the widget run from dist/, as production runs them: a suite on a build older
 * than its sources would test stale code, so it refuses, naming the first such source (`npm run build`).
 */
export function assertBuildCurrent(root = REPO_ROOT): void {
  const dist = join(root, 'dist');
  const stale: string[] = [];
  const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts');
  for (const tree of ['apps', 'libs']) {
    for (const source of filesUnder(join(root, tree), isSource)) {
      const path = relative(root, source);
      if (path.startsWith(join('apps', 'widget'))) continue;
      if (newest([join(dist, path.replace(/\.ts$/, '.js'))]) < statSync(source).mtimeMs) stale.push(path);
    }
  }
  const widgetSources = filesUnder(join(root, 'apps', 'widget', 'src'), isSource);
  if (newest([join(dist, 'apps', 'widget', 'v1.js')]) < newest(widgetSources)) stale.push(join('apps', 'widget', 'src'));
  if (stale.length)
    throw new Error(`dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}: run \`npm run build\``);
}

let buildChecked = false;

/** The system as `npm start` runs it (libs/local-servers), with the harness's NATS user and SQL for the test. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  if (!buildChecked) assertBuildCurrent();
  buildChecked = true;
  const system = await startLocalSystem(harnessServerOptions(options));
  // A pool, so that a PostgreSQL restart (a fault test) costs its broken connections, not the test run.
  const db = new Pool({ connectionString: system.servers.databaseUrl, max: 4 });
  db.on('error', () => undefined);
  const sql = async <T>(text: string, params?: unknown[]) => (await db.query(text, params)).rows as T[];
  let stopped: Promise<void> | undefined;
  return {
    ...system,
    sql,
    sqlRow: async <T>(text: string, params?: unknown[]) => nth(await sql<T>(text, params), 0),
    /** Safe to call more than once (a test may stop early; afterAll stops again). */
    stop() {
      stopped ??= (async () => {
        await db.end();
        await system.stop();
      })();
      return stopped;
    },
  };
}
