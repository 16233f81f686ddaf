import { SecretCache, SecretChange, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { unavailable } from '../../http/api-error';
import { Widget, workspaceWidget } from '../widget-row';
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
  widget(command: WidgetCommand): Promise<Widget> {
    return workspaceWidget(this.db, command);
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

  /** The same for a change of the widget's allowed origins (none: it is deleted), which live streams compare with theirs. */
  async originsFirst(widgetId: string, origins: string[], code: string, done: string): Promise<void> {
    await this.cache.markOrigins(widgetId, origins).catch(() => {
      throw unavailable(code, `the secret cache could not be told, so nothing was ${done}; try again`);
    });
  }
}
