import { REDIS } from '@inviaro/persistence';
import { ExecutionContext, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { GatewayConfig } from '../gateway.config';
import { ApiError } from './api-error';

const MINUTE_MS = 60_000;

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * Fixed-window counters in Redis, shared by every gateway instance. While Redis is away the limits
 * are not enforced (a warning says so): chat must not stop because the limiter cannot count.
 */
@Injectable()
class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('rate-limits');
  private warnedAt = 0;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    try {
      const [hits, remainingMs] = (await this.redis.eval(COUNT_IN_WINDOW, 1, `inviaro:rate:${key}`, ttl)) as [number, number];
      const seconds = Math.max(1, Math.ceil(remainingMs / 1000));
      return { totalHits: hits, timeToExpire: seconds, isBlocked: hits > limit, timeToBlockExpire: seconds };
    } catch (error) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not enforced: Redis unavailable (${error instanceof Error ? error.message : String(error)})`);
      }
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

const COUNT_IN_WINDOW = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {hits, redis.call('PTTL', KEYS[1])}`;

/** Answers 429 in the API's error shape, with a plain Retry-After. */
@Injectable()
export class WidgetRateLimit extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new ApiError(429, 'rate_limited', 'too many requests; slow down', detail.timeToBlockExpire);
  }
}

/** Credentials never become Redis keys as they are. */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

type WidgetRequest = { body?: { key?: unknown; visitor_token?: unknown }; ip?: string };

/**
 * Per widget (all its visitors together) and per visitor (a visitor token; for visitor creation,
 * the client address), on the public widget endpoints. Limits per minute from configuration.
 */
@Module({})
export class RateLimitsModule {
  static register(config: GatewayConfig) {
    return ThrottlerModule.forRootAsync({
      useFactory: (redis: Redis) => ({
        storage: new RedisThrottlerStorage(redis),
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
        // The one Retry-After comes with the 429 body (ApiError), not one header per named limit.
        setHeaders: false,
        throttlers: [
          { name: 'widget', ttl: MINUTE_MS, limit: config.RATE_LIMIT_WIDGET_PER_MINUTE, getTracker: (req: WidgetRequest) => digest(String(req.body?.key ?? '')) },
          {
            name: 'visitor',
            ttl: MINUTE_MS,
            limit: config.RATE_LIMIT_VISITOR_PER_MINUTE,
            getTracker: (req: WidgetRequest) => digest(typeof req.body?.visitor_token === 'string' ? req.body.visitor_token : `ip:${req.ip}`),
          },
        ],
      }),
      inject: [REDIS],
    });
  }
}
