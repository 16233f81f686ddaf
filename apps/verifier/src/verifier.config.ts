import { SecretsConfig } from '@inviaro/persistence';

export class VerifierConfig extends SecretsConfig {
  override PORT: number = 8081;
}
