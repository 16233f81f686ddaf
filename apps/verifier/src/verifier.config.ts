import { SecretsConfig } from '@inviaro/persistence';
import { IsInt, Max, Min } from 'class-validator';

export class VerifierConfig extends SecretsConfig {
  override PORT: number = 8081;

  /** Days a verification failure record is kept after it was last seen. */
  @IsInt()
  @Min(1)
  @Max(3650)
  FAILURE_RETENTION_DAYS: number = 30;
}
