import { IdentityPolicy } from '@inviaro/contracts';
import { firstRow } from '@inviaro/persistence';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';

/** A row of `widgets`, as the admin API reads it. */
export interface Widget {
  id: string;
  workspace_id: string;
  /** Public (`wt_...`): it sits in the customer's page. */
  key: string;
  name: string;
  /** Origins (scheme://host[:port]) the widget may be called from. */
  allowed_origins: string[];
  identity_policy: IdentityPolicy;
  /** Enforce mode: a message or identify without a claim that verifies is refused (401 identity_required). */
  identity_required: boolean;
  /** What the widget shows in place of the composer while identity is required; null: its default text. */
  sign_in_prompt: string | null;
  created_at: Date;
}

export const WIDGET_COLUMNS = 'id, workspace_id, key, name, allowed_origins, identity_policy, identity_required, sign_in_prompt, created_at';

/** What names a widget to the rest of the system: its id and its workspace. */
export type WidgetRef = Pick<Widget, 'id' | 'workspace_id'>;

/** The workspace's widget by that id; 404 where the workspace has none (another workspace's widget, and a deleted one, included). */
export async function workspaceWidget(db: Pool, { workspaceId, widgetId }: { workspaceId: string; widgetId: string }): Promise<Widget> {
  const widget = await firstRow<Widget>(db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL`, [
    widgetId,
    workspaceId,
  ]);
  if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
  return widget;
}
