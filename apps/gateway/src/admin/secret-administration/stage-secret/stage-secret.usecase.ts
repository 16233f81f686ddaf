import { StagedSecret } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../../../http/api-error';
import { WidgetCommand } from '../widget.command';
import { SecretStores } from '../secret-stores';

/**
 * The next secret, verifying beside the current one until a retire (the answer is its one reveal); 409
 * `rotation_staged` while one awaits its retire. Nothing stops verifying, so nothing is announced.
 */
@Injectable()
export class StageSecret {
  constructor(private readonly stores: SecretStores) {}

  async execute(command: WidgetCommand): Promise<StagedSecret> {
    const widget = await this.stores.widget(command);
    const staged = await this.stores.vault.stage(widget.id, this.stores.cacheFirst(widget.id, 'rotation_unavailable', 'staged'));
    if (!staged) throw new ApiError(409, 'rotation_staged', 'a staged secret already awaits its retire call; retire the previous secret first');
    return { widget_secret: staged.secret, secret_version: staged.version };
  }
}
