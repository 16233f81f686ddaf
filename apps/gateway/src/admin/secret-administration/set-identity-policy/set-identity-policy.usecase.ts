import { Widget } from '../../widget-row';
import { SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { cacheFirst } from '../cache-first';
import { workspaceWidget } from '../workspace-widget';
import { SetIdentityPolicyCommand } from './set-identity-policy.command';

/**
 * The widget's identity policy (docs/identity-jwt.md), in force on every verifier when this returns: the
 * vault's change, the cache told (and the policy marked for live streams) before it commits. A policy change
 * has no event: live streams compare the mark at delivery.
 */
@Injectable()
export class SetIdentityPolicy {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
  ) {}

  async execute(command: SetIdentityPolicyCommand): Promise<Widget> {
    const widget = await workspaceWidget(this.db, command);
    await this.vault.setPolicy(widget.id, command.identityPolicy, cacheFirst(this.cache, widget.id, 'policy_unavailable', 'changed'));
    return { ...widget, identity_policy: command.identityPolicy };
  }
}
