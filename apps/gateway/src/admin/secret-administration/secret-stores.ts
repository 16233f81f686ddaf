import { firstRow } from '@inviaro/persistence';
import { SecretCache, SecretChange, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError, unavailable } from '../../http/api-error';
import { Widget, WIDGET_COLUMNS } from '../widget-row';
import { WidgetCommand } from './widget.command';

/** What every secret use case works on, in one order: the command's widget, the vault's change, the cache told before it commits. */
@Injectable()
export class SecretStores {
  constructor(
    readonly db: Pool,
    readonly vault: WidgetSecretVault,
    readonly cache: SecretCache,
  ) {}

  /** The command's widget; 404 where the workspace has none by that id (another workspace's widget included). */
  async widget({ workspaceId, widgetId }: WidgetCommand): Promise<Widget> {
    const widget = await firstRow<Widget>(this.db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE id = $1 AND workspace_id = $2`, [widgetId, workspaceId]);
    if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
    return widget;
  }

  /**
   * The vault's `beforeCommit` step: the cache is told before the change commits, and a failure rolls the
   * change back (503 `code`): with the cache out of reach, the old state could outlive it somewhere.
   */
  cacheFirst(widgetId: string, code: string, done: string): (change: SecretChange) => Promise<void> {
    return async (change) => {
      await this.cache.invalidate(widgetId, change).catch(() => {
        throw unavailable(code, `the secret cache could not be invalidated, so nothing was ${done}; try again`);
      });
    };
  }
}
