import { SecretStatus } from '@inviaro/contracts';
import { SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../../../http/api-error';
import { cacheFirst } from '../cache-first';
import { RotationAnnouncement } from '../rotation-announcement';
import { GetSecretStatus } from '../get-secret-status/get-secret-status.usecase';
import { WidgetCommand } from '../widget.command';
import { workspaceWidget } from '../workspace-widget';

/**
 * Ends the previous secret of a staged rotation as a rotate would (its digests and tokens fail, its live
 * streams end): the vault's change, the cache told before it commits, then the announcement; 409
 * `nothing_to_retire` where no previous secret is live. Answers with the secrets' status.
 */
@Injectable()
export class RetireSecret {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
    private readonly announcement: RotationAnnouncement,
    private readonly status: GetSecretStatus,
  ) {}

  async execute(command: WidgetCommand): Promise<SecretStatus> {
    const widget = await workspaceWidget(this.db, command);
    const retired = await this.vault.retire(widget.id, cacheFirst(this.cache, widget.id, 'rotation_unavailable', 'retired'));
    if (!retired) throw new ApiError(409, 'nothing_to_retire', 'no previous secret is live; stage a secret first');
    await this.announcement.announce(widget, retired.version);
    return this.status.of(widget.id);
  }
}
