import { SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../../http/api-error';
import { cacheFirst, originsFirst } from '../secret-administration/cache-first';
import { WidgetCommand } from '../secret-administration';
import { workspaceWidget } from '../secret-administration/workspace-widget';

/**
 * Deletes a widget, in force everywhere when this answers: its key matches nothing on any gateway (each
 * reads the row per call), its secrets are deleted with it, and before the commit the verifiers' cache
 * drops them and the widget is marked as allowing no origin, so every live stream of it ends. Its
 * contacts and conversations stay (erasing them is `DELETE /v1/admin/contacts/{id}`).
 */
@Injectable()
export class DeleteWidget {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
  ) {}

  async execute(command: WidgetCommand): Promise<void> {
    const widget = await workspaceWidget(this.db, command);
    const deleted = await this.vault.destroy(widget.id, async (change) => {
      await cacheFirst(this.cache, widget.id, 'deletion_unavailable', 'deleted')(change);
      await originsFirst(this.cache, widget.id, [], 'deletion_unavailable', 'deleted');
    });
    // Another call deleted it in between.
    if (!deleted) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
  }
}
