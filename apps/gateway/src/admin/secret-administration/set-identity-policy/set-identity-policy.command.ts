import { IDENTITY_POLICIES, IdentityPolicy } from '@inviaro/contracts';
import { IsIn } from 'class-validator';
import { WidgetCommand } from '../widget.command';

export class SetIdentityPolicyCommand extends WidgetCommand {
  @IsIn(IDENTITY_POLICIES, { message: `identity_policy must be one of ${IDENTITY_POLICIES.join(', ')}` })
  identityPolicy!: IdentityPolicy;
}
