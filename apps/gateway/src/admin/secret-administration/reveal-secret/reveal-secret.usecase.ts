import { WidgetSecret } from '@inviaro/contracts';
import { WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../../../http/api-error';
import { WidgetCommand } from '../widget.command';
import { workspaceWidget } from '../workspace-widget';

/** The widget secret, once after it was created or rotated; 410 `secret_already_revealed` after. */
@Injectable()
export class RevealSecret {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
  ) {}

  async execute(command: WidgetCommand): Promise<WidgetSecret> {
    await workspaceWidget(this.db, command);
    const secret = await this.vault.reveal(command.widgetId);
    if (secret === null) throw new ApiError(410, 'secret_already_revealed', 'this secret was already revealed; rotate it to get a new one');
    return { widget_secret: secret };
  }
}
