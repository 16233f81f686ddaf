import { REDIS } from '@inviaro/persistence';
import { CanActivate, DynamicModule, ExecutionContext, Inject, Injectable, Logger, Module } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { GatewayConfig } from '../gateway.config';
import { ApiError } from './api-error';
import { TickBatch } from './tick-batch';

const MINUTE_MS = 60_000;
const LIMITS = Symbol('RATE_LIMITS');

interface Limits {
  widget: number;
  visitor: number;
}

/** Fixed-window counters, any number in one round trip: hits and milliseconds left, per key. */
const COUNT_IN_WINDOWS = `
local counts = {}
for i, key in ipairs(KEYS) do
  local hits = redis.call('INCR', key)
  if hits == 1 then redis.call('PEXPIRE', key, ARGV[1]) end
  counts[2 * i - 1] = hits
  counts[2 * i] = redis.call('PTTL', key)
end
return counts`;

/** Credentials never become Redis keys as they are. */
const digest = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

type WidgetRequest = { body?: { key?: unknown; visitor_token?: unknown }; ip?: string };

/**
 * Per widget (all its visitors together) and per visitor (a visitor token; for visitor creation,
 * the client address), on the public widget endpoints; limits per minute from configuration.
 * Fixed-window counters in Redis, shared by every gateway instance; past a limit, 429 with
 * Retry-After. While Redis is away the limits are not enforced (a warning says so): chat must
 * not stop because the limiter cannot count.
 *
 * Written here rather than on @nestjs/throttler, which asks its storage once per limit: two
 * Redis round trips on every widget call, where this takes one for all the calls in hand.
 */
@Injectable()
export class WidgetRateLimit implements CanActivate {
  private readonly logger = new Logger('rate-limits');
  private warnedAt = 0;
  /** Per call, its widget and visitor counters: [widget hits, widget ms left, visitor hits, visitor ms left]. */
  private readonly counts = new TickBatch<[string, string], number[]>(async (calls) => {
    const counts = (await this.redis.eval(COUNT_IN_WINDOWS, calls.length * 2, ...calls.flat(), MINUTE_MS)) as number[];
    return calls.map((_, i) => counts.slice(i * 4, i * 4 + 4));
  });

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LIMITS) private readonly limits: Limits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WidgetRequest>();
    const widget = digest(String(request.body?.key ?? ''));
    const visitor = digest(typeof request.body?.visitor_token === 'string' ? request.body.visitor_token : `ip:${request.ip}`);
    let counts: number[];
    try {
      counts = await this.counts.call([`inviaro:rate:widget:${widget}`, `inviaro:rate:visitor:${visitor}`]);
    } catch (error) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not enforced: Redis unavailable (${error instanceof Error ? error.message : String(error)})`);
      }
      return true;
    }
    const [widgetHits, widgetMs, visitorHits, visitorMs] = counts;
    const blockedMs = widgetHits > this.limits.widget ? widgetMs : visitorHits > this.limits.visitor ? visitorMs : undefined;
    if (blockedMs !== undefined) throw new ApiError(429, 'rate_limited', 'too many requests; slow down', Math.max(1, Math.ceil(blockedMs / 1000)));
    return true;
  }
}

@Module({})
export class RateLimitsModule {
  static register(config: GatewayConfig): DynamicModule {
    const limits: Limits = { widget: config.RATE_LIMIT_WIDGET_PER_MINUTE, visitor: config.RATE_LIMIT_VISITOR_PER_MINUTE };
    return { module: RateLimitsModule, global: true, providers: [{ provide: LIMITS, useValue: limits }], exports: [LIMITS] };
  }
}
