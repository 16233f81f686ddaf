import { SecretsConfig } from '@inviaro/widget-secrets';
import { IntSetting } from '@inviaro/observability';

export class VerifierConfig extends SecretsConfig {
  override PORT: number = 8081;

  /** Days a verification failure record is kept after it was last seen. */
  @IntSetting(1, 3650)
  FAILURE_RETENTION_DAYS: number = 30;
}
