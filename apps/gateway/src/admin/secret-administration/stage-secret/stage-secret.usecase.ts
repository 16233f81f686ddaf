import { StagedSecret } from '@inviaro/contracts';
import { SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../../../http/api-error';
import { cacheFirst } from '../cache-first';
import { WidgetCommand } from '../widget.command';
import { workspaceWidget } from '../workspace-widget';

/**
 * The next secret, verifying beside the current one until a retire (the answer is its one reveal); 409
 * `rotation_staged` while one awaits its retire. Nothing stops verifying, so nothing is announced.
 */
@Injectable()
export class StageSecret {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
  ) {}

  async execute(command: WidgetCommand): Promise<StagedSecret> {
    const widget = await workspaceWidget(this.db, command);
    const staged = await this.vault.stage(widget.id, cacheFirst(this.cache, widget.id, 'rotation_unavailable', 'staged'));
    if (!staged) throw new ApiError(409, 'rotation_staged', 'a staged secret already awaits its retire call; retire the previous secret first');
    return { widget_secret: staged.secret, secret_version: staged.version };
  }
}
