import { WidgetSecret } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { RotationAnnouncement } from '../rotation-announcement';
import { WidgetCommand } from '../widget.command';
import { SecretStores } from '../secret-stores';

/**
 * A new secret, in force on every instance when this returns: the vault's change, the cache told
 * before it commits, then the announcement. The answer is the new secret's one reveal.
 */
@Injectable()
export class RotateSecret {
  constructor(
    private readonly stores: SecretStores,
    private readonly announcement: RotationAnnouncement,
  ) {}

  async execute(command: WidgetCommand): Promise<WidgetSecret> {
    const widget = await this.stores.widget(command);
    const rotated = await this.stores.vault.rotate(widget.id, this.stores.cacheFirst(widget.id, 'rotation_unavailable', 'rotated'));
    await this.announcement.announce(widget, rotated.version);
    return { widget_secret: rotated.secret };
  }
}
