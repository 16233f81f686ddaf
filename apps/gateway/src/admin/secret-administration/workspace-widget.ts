import { firstRow } from '@inviaro/persistence';
import { Pool } from 'pg';
import { ApiError } from '../../http/api-error';
import { Widget, WIDGET_COLUMNS } from '../widget-row';
import { WidgetCommand } from './widget.command';

/** The command's widget; 404 where the workspace has none by that id (another workspace's widget, and a deleted one, included). */
export async function workspaceWidget(db: Pool, { workspaceId, widgetId }: WidgetCommand): Promise<Widget> {
  const widget = await firstRow<Widget>(db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL`, [
    widgetId,
    workspaceId,
  ]);
  if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
  return widget;
}
