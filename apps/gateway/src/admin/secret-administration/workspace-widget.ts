import { Widget } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { ApiError } from '../../http/api-error';
import { WidgetCommand } from './widget.command';

/** The command's widget; 404 where the workspace has none by that id (another workspace's widget included). */
export async function workspaceWidget(db: DataSource, { workspaceId, widgetId }: WidgetCommand): Promise<Widget> {
  const widget = await db.getRepository(Widget).findOneBy({ id: widgetId, workspace_id: workspaceId });
  if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
  return widget;
}
