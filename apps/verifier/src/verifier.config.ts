import { CommonConfig } from '@inviaro/observability';

export class VerifierConfig extends CommonConfig {
  override PORT: number = 8081;
}
