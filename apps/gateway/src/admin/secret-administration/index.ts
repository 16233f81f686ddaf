import { RevealSecret } from './reveal-secret/reveal-secret.usecase';
import { RetireSecret } from './retire-secret/retire-secret.usecase';
import { RotateSecret } from './rotate-secret/rotate-secret.usecase';
import { RotationAnnouncement } from './rotation-announcement';
import { GetSecretStatus } from './get-secret-status/get-secret-status.usecase';
import { SetIdentityPolicy } from './set-identity-policy/set-identity-policy.usecase';
import { SetIdentityRequirement } from './set-identity-requirement/set-identity-requirement.usecase';
import { StageSecret } from './stage-secret/stage-secret.usecase';

export { GetSecretStatus, RevealSecret, RetireSecret, RotateSecret, SetIdentityPolicy, SetIdentityRequirement, StageSecret };
export { SetIdentityPolicyCommand } from './set-identity-policy/set-identity-policy.command';
export { SetIdentityRequirementCommand } from './set-identity-requirement/set-identity-requirement.command';
export { WidgetCommand } from './widget.command';

/** Secret administration, one use case per file: each orchestrates the vault, then the cache (before the commit), then the publish. */
export const SECRET_ADMINISTRATION = [
  RevealSecret,
  RotateSecret,
  StageSecret,
  RetireSecret,
  GetSecretStatus,
  SetIdentityPolicy,
  SetIdentityRequirement,
  RotationAnnouncement,
];
