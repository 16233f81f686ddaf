import { SecretCache, WidgetSecretVault, WidgetSecretVersions } from '@inviaro/widget-secrets';
import { Injectable, Logger } from '@nestjs/common';

/** How often, at most, to repeat the warning that Redis is away. */
const WARN_EVERY_MS = 10_000;

/**
 * A widget's decrypted secrets for the hot path: Redis first (one round trip), PostgreSQL on a
 * miss. While Redis is away verification goes on from PostgreSQL, with a warning.
 */
@Injectable()
export class WidgetSecrets {
  private readonly logger = new Logger('widget-secrets');
  private lastWarning = 0;

  constructor(
    private readonly cache: SecretCache,
    private readonly vault: WidgetSecretVault,
  ) {}

  async of(widgetId: string): Promise<WidgetSecretVersions | null> {
    const cached = await this.cache.get(widgetId).catch((error) => this.cacheAway(error));
    if (cached) return cached;
    const versions = await this.vault.current(widgetId);
    if (versions) await this.cache.fill(widgetId, versions).catch((error) => this.cacheAway(error));
    return versions;
  }

  private cacheAway(error: unknown): undefined {
    const now = Date.now();
    if (now - this.lastWarning > WARN_EVERY_MS) {
      this.lastWarning = now;
      this.logger.warn(`Redis secret cache unavailable (${error instanceof Error ? error.message : String(error)}); verifying from PostgreSQL`);
    }
    return undefined;
  }
}
