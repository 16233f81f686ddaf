import { SecretsConfig } from './secrets.config';
import { IntSetting, ReadBy } from './setting';

@ReadBy('verifier')
export class VerifierConfig extends SecretsConfig {
  override PORT: number = 8081;

  /** Days a verification failure record is kept after it was last seen. */
  @IntSetting(1, 3650, 'days a verification failure record is kept after it was last seen')
  FAILURE_RETENTION_DAYS: number = 30;

  /** Days the verification health report's per-hour counts are kept. */
  @IntSetting(1, 3650, 'days the verification health report keeps its per-hour counts')
  VERIFICATION_COUNTS_RETENTION_DAYS: number = 90;
}
