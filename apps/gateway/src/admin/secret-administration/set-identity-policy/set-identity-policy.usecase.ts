import { Widget } from '../../widget-row';
import { Injectable } from '@nestjs/common';
import { SecretStores } from '../secret-stores';
import { SetIdentityPolicyCommand } from './set-identity-policy.command';

/**
 * The widget's identity policy (docs/identity-jwt.md), in force on every verifier when this returns: the
 * vault's change, the cache told (and the policy marked for live streams) before it commits. A policy change
 * has no event: live streams compare the mark at delivery.
 */
@Injectable()
export class SetIdentityPolicy {
  constructor(private readonly stores: SecretStores) {}

  async execute(command: SetIdentityPolicyCommand): Promise<Widget> {
    const widget = await this.stores.widget(command);
    await this.stores.vault.setPolicy(widget.id, command.identityPolicy, this.stores.cacheFirst(widget.id, 'policy_unavailable', 'changed'));
    return { ...widget, identity_policy: command.identityPolicy };
  }
}
