import { KeyRing } from '@inviaro/crypto';
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { ClaimKeys } from './claim-keys';
import { PreviousSecretUses } from './previous-secret-uses';
import { SecretCache } from './secret-cache';
import { keyName, SecretsConfig } from '@inviaro/config';
import { WidgetSecretVault } from './widget-secret.vault';

export const REDIS = Symbol('REDIS');

/** Fails fast while Redis is away instead of queueing: callers fall back to PostgreSQL or answer 503. */
export function connectRedis(url: string): Redis {
  // Auto-pipelining sends the lookups of one event-loop tick in one write: each is still its own command, issued when asked.
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableAutoPipelining: true });
}

/** The widget-secret vault (PostgreSQL) and cache (Redis), and the claim keys, for services whose module provides the PostgreSQL pool (PostgresModule). */
@Module({})
export class SecretsModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static register(config: SecretsConfig): DynamicModule {
    return {
      module: SecretsModule,
      global: true,
      providers: [
        { provide: REDIS, useFactory: () => connectRedis(config.REDIS_URL) },
        { provide: KeyRing, useValue: KeyRing.parse(config.INVIARO_MASTER_KEYS) },
        { provide: WidgetSecretVault, useFactory: (db: Pool, ring: KeyRing) => new WidgetSecretVault(db, ring), inject: [Pool, KeyRing] },
        { provide: SecretCache, useFactory: (redis: Redis) => new SecretCache(redis, config.SECRET_CACHE_TTL_SECONDS), inject: [REDIS] },
        { provide: PreviousSecretUses, useFactory: (redis: Redis) => new PreviousSecretUses(redis), inject: [REDIS] },
        { provide: ClaimKeys, useValue: new ClaimKeys(KeyRing.parse(config.INVIARO_CLAIM_KEYS, keyName('INVIARO_CLAIM_KEYS'))) },
      ],
      exports: [REDIS, WidgetSecretVault, SecretCache, PreviousSecretUses, ClaimKeys],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
