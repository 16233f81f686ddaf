import { SecretStatus } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { ApiError } from '../../../http/api-error';
import { RotationAnnouncement } from '../rotation-announcement';
import { GetSecretStatus } from '../get-secret-status/get-secret-status.usecase';
import { WidgetCommand } from '../widget.command';
import { SecretStores } from '../secret-stores';

/**
 * Ends the previous secret of a staged rotation as a rotate would (its digests and tokens fail, its live
 * streams end): the vault's change, the cache told before it commits, then the announcement; 409
 * `nothing_to_retire` where no previous secret is live. Answers with the secrets' status.
 */
@Injectable()
export class RetireSecret {
  constructor(
    private readonly stores: SecretStores,
    private readonly announcement: RotationAnnouncement,
    private readonly status: GetSecretStatus,
  ) {}

  async execute(command: WidgetCommand): Promise<SecretStatus> {
    const widget = await this.stores.widget(command);
    const retired = await this.stores.vault.retire(widget.id, this.stores.cacheFirst(widget.id, 'rotation_unavailable', 'retired'));
    if (!retired) throw new ApiError(409, 'nothing_to_retire', 'no previous secret is live; stage a secret first');
    await this.announcement.announce(widget, retired.version);
    return this.status.of(widget.id);
  }
}
