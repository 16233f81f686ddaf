import { WidgetSecret } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../../../http/api-error';
import { WidgetCommand } from '../widget.command';
import { SecretStores } from '../secret-stores';

/** The widget secret, once after it was created or rotated; 410 `secret_already_revealed` after. */
@Injectable()
export class RevealSecret {
  constructor(private readonly stores: SecretStores) {}

  async execute(command: WidgetCommand): Promise<WidgetSecret> {
    await this.stores.widget(command);
    const secret = await this.stores.vault.reveal(command.widgetId);
    if (secret === null) throw new ApiError(410, 'secret_already_revealed', 'this secret was already revealed; rotate it to get a new one');
    return { widget_secret: secret };
  }
}
