import { WidgetSecret } from '@inviaro/contracts';
import { SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { cacheFirst } from '../cache-first';
import { RotationAnnouncement } from '../rotation-announcement';
import { WidgetCommand } from '../widget.command';
import { workspaceWidget } from '../workspace-widget';

/**
 * A new secret, in force on every instance when this returns: the vault's change, the cache told
 * before it commits, then the announcement. The answer is the new secret's one reveal.
 */
@Injectable()
export class RotateSecret {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
    private readonly announcement: RotationAnnouncement,
  ) {}

  async execute(command: WidgetCommand): Promise<WidgetSecret> {
    const widget = await workspaceWidget(this.db, command);
    const rotated = await this.vault.rotate(widget.id, cacheFirst(this.cache, widget.id, 'rotation_unavailable', 'rotated'));
    await this.announcement.announce(widget, rotated.version);
    return { widget_secret: rotated.secret };
  }
}
