import { randomBytes } from 'node:crypto';
import { RunningSystem } from './system';

export const DEMO_ORIGIN = 'https://shop.example';

export interface TestWidget {
  workspaceId: string;
  widgetId: string;
  key: string;
  origin: string;
}

/** A workspace with one widget, written straight to the database. */
export async function createWidget(system: RunningSystem, origin = DEMO_ORIGIN): Promise<TestWidget> {
  const [workspace] = await system.sql<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('test') RETURNING id`);
  const key = `wt_${randomBytes(12).toString('hex')}`;
  const [widget] = await system.sql<{ id: string }>(`INSERT INTO widgets (workspace_id, key, name, allowed_origins) VALUES ($1, $2, 'test', $3) RETURNING id`, [
    workspace.id,
    key,
    [origin],
  ]);
  return { workspaceId: workspace.id, widgetId: widget.id, key, origin };
}
