import { Injectable } from '@nestjs/common';
import { ApiError } from '../../http/api-error';
import { SecretStores, WidgetCommand } from '../secret-administration';

/**
 * Deletes a widget, in force everywhere when this answers: its key matches nothing on any gateway (each
 * reads the row per call), its secrets are deleted with it, and before the commit the verifiers' cache
 * drops them and the widget is marked as allowing no origin, so every live stream of it ends. Its
 * contacts and conversations stay (erasing them is `DELETE /v1/admin/contacts/{id}`).
 */
@Injectable()
export class DeleteWidget {
  constructor(private readonly stores: SecretStores) {}

  async execute(command: WidgetCommand): Promise<void> {
    const widget = await this.stores.widget(command);
    const deleted = await this.stores.vault.destroy(widget.id, async (change) => {
      await this.stores.cacheFirst(widget.id, 'deletion_unavailable', 'deleted')(change);
      await this.stores.originsFirst(widget.id, [], 'deletion_unavailable', 'deleted');
    });
    // Another call deleted it in between.
    if (!deleted) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
  }
}
