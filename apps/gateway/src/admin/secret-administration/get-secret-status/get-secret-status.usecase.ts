import { SecretStatus } from '@inviaro/contracts';
import { PreviousSecretUses } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { unavailable } from '../../../http/api-error';
import { WidgetCommand } from '../widget.command';
import { SecretStores } from '../secret-stores';

/** Where the widget's secrets stand (the vault), and the previous one's claims of the last hour (Redis) while it is live. */
@Injectable()
export class GetSecretStatus {
  constructor(
    private readonly stores: SecretStores,
    private readonly previousUses: PreviousSecretUses,
  ) {}

  async execute(command: WidgetCommand): Promise<SecretStatus> {
    await this.stores.widget(command);
    return this.of(command.widgetId);
  }

  /** For a widget already found (a retire answers with it). */
  async of(widgetId: string): Promise<SecretStatus> {
    const { version, previousLive } = await this.stores.vault.status(widgetId);
    if (!previousLive) return { secret_version: version };
    const claims = await this.previousUses.lastHour(widgetId, version - 1).catch(() => {
      throw unavailable('usage_unavailable', 'the count of claims under the previous secret is unavailable right now; try again');
    });
    return { secret_version: version, previous_secret: { secret_version: version - 1, claims_last_hour: claims } };
  }
}
