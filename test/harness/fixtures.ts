import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AdminClient } from './admin-client';
import { REPO_ROOT } from '@inviaro/local-servers';
import { RunningSystem } from './system';

export const DEMO_ORIGIN = 'https://shop.example';

export interface TestWorkspace {
  workspaceId: string;
  adminToken: string;
  admin: AdminClient;
}

export interface TestWidget extends TestWorkspace {
  widgetId: string;
  key: string;
  origin: string;
  /** Revealed once, right after creation, as a customer would. */
  secret: string;
}

const CLI = join(REPO_ROOT, 'bin', 'inviaro.js');

/** A workspace made the way an operator makes one: `npx inviaro workspace create --name NAME --json`. */
export async function createWorkspace(system: RunningSystem, name = 'test'): Promise<TestWorkspace> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, 'workspace', 'create', '--name', name, '--json'], {
    env: { ...process.env, DATABASE_URL: system.servers.databaseUrl },
  });
  const created = JSON.parse(stdout) as { workspace_id: string; admin_token: string };
  return { workspaceId: created.workspace_id, adminToken: created.admin_token, admin: new AdminClient(system.gatewayUrl, created.admin_token) };
}

/** A workspace with one widget, made through the CLI and the admin API, with its secret revealed. */
export async function createWidget(system: RunningSystem, origin = DEMO_ORIGIN, workspace?: TestWorkspace): Promise<TestWidget> {
  const owner = workspace ?? (await createWorkspace(system));
  const widget = await owner.admin.createWidget('test widget', [origin]);
  const revealed = await owner.admin.revealSecret(widget.id);
  if (revealed.status !== 200) throw new Error(`secret not revealed: ${revealed.status}`);
  return { ...owner, widgetId: widget.id, key: widget.key, origin, secret: revealed.body.widget_secret };
}
