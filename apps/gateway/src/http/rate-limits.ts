import { REDIS } from '@inviaro/persistence';
import { CanActivate, DynamicModule, ExecutionContext, Inject, Injectable, Logger, Module, OnModuleInit, SetMetadata } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import { Application } from 'express';
import Redis from 'ioredis';
import { GatewayConfig } from '../gateway.config';
import { ApiError } from './api-error';
import { addressBudgetKey } from './client-address';
import { TickBatch } from './tick-batch';

const MINUTE_MS = 60_000;
const LIMITS = Symbol('RATE_LIMITS');

interface Limits {
  address: number;
  newVisitors: number;
  widget: number;
  visitor: number;
  /** Express's `trust proxy`: false (the socket's peer is the client), a hop count, or trusted addresses/CIDRs. */
  trustProxy: boolean | number | string[];
}

/** One budget to spend a call from: its Redis key and its calls per minute. */
interface Budget {
  key: string;
  limit: number;
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

/**
 * Fixed-window budgets per minute in Redis, shared by every gateway instance; past one, 429 with
 * Retry-After. All the budgets of all the calls in hand are counted in one round trip. While Redis
 * is away nothing is enforced (a warning says so): chat must not stop because the limiter cannot count.
 *
 * Written here rather than on @nestjs/throttler, which asks its storage once per limit.
 */
@Injectable()
export class RateBudgets {
  private readonly logger = new Logger('rate-limits');
  private warnedAt = 0;
  /** Per call, for each of its keys: hits, then milliseconds left in the window. */
  private readonly counts = new TickBatch<string[], number[]>(async (calls) => {
    const keys = calls.flat();
    const counts = (await this.redis.eval(COUNT_IN_WINDOWS, keys.length, ...keys, MINUTE_MS)) as number[];
    let next = 0;
    return calls.map((call) => counts.slice(next, (next += call.length * 2)));
  });

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LIMITS) readonly limits: Limits,
  ) {}

  /** Spends one call from each budget; 429 when any of them is past its limit. */
  async spend(budgets: Budget[]): Promise<void> {
    let counts: number[];
    try {
      counts = await this.counts.call(budgets.map((budget) => `inviaro:rate:${budget.key}`));
    } catch (error) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not enforced: Redis unavailable (${error instanceof Error ? error.message : String(error)})`);
      }
      return;
    }
    const blockedMs = budgets.reduce((ms, budget, i) => ((counts[2 * i] ?? 0) > budget.limit ? Math.max(ms, counts[2 * i + 1] ?? 0) : ms), -1);
    if (blockedMs >= 0) throw new ApiError(429, 'rate_limited', 'too many requests; slow down', Math.max(1, Math.ceil(blockedMs / 1000)));
  }

  /** A widget's budget (all its visitors), spent only once its key and origin checked out. */
  widget(widgetId: string): Budget {
    return { key: `widget:${widgetId}`, limit: this.limits.widget };
  }

  /** A visitor's budget, spent only once its token checked out. */
  visitor(visitorId: string): Budget {
    return { key: `visitor:${visitorId}`, limit: this.limits.visitor };
  }
}

const CREATES_VISITORS = 'inviaro:creates-visitors';
/** Marks the route that creates visitors: it also spends the client address's visitor-creation budget. */
export const CreatesVisitors = () => SetMetadata(CREATES_VISITORS, true);

/**
 * The client address's own budget, spent first, before the body, the key, the origin or the token
 * is looked at: a flood from one address spends that address's budget and nobody else's, and
 * made-up keys and tokens reach PostgreSQL at most that often per address.
 */
@Injectable()
export class WidgetRateLimit implements CanActivate {
  constructor(
    private readonly budgets: RateBudgets,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // `ip` honours TRUST_PROXY: the client's address, not a proxy's or one the client wrote itself.
    const address = addressBudgetKey(context.switchToHttp().getRequest<{ ip?: string }>().ip ?? 'unknown');
    const { limits } = this.budgets;
    const budgets: Budget[] = [{ key: `address:${address}`, limit: limits.address }];
    if (this.reflector.get<boolean>(CREATES_VISITORS, context.getHandler())) budgets.push({ key: `new-visitors:${address}`, limit: limits.newVisitors });
    await this.budgets.spend(budgets);
    return true;
  }
}

/** TRUST_PROXY as Express takes it: unset or `false`, a number of hops, or a comma-separated list of addresses/CIDRs. */
function trustProxy(setting: string): Limits['trustProxy'] {
  if (setting === 'false') return false;
  if (/^\d+$/.test(setting)) return Number(setting);
  return setting.split(',').map((entry) => entry.trim());
}

@Module({})
export class RateLimitsModule implements OnModuleInit {
  constructor(
    private readonly adapter: HttpAdapterHost,
    @Inject(LIMITS) private readonly limits: Limits,
  ) {}

  static register(config: GatewayConfig): DynamicModule {
    const limits: Limits = {
      address: config.RATE_LIMIT_ADDRESS_PER_MINUTE,
      newVisitors: config.RATE_LIMIT_NEW_VISITORS_PER_MINUTE,
      widget: config.RATE_LIMIT_WIDGET_PER_MINUTE,
      visitor: config.RATE_LIMIT_VISITOR_PER_MINUTE,
      trustProxy: trustProxy(config.TRUST_PROXY),
    };
    return { module: RateLimitsModule, global: true, providers: [{ provide: LIMITS, useValue: limits }, RateBudgets], exports: [RateBudgets] };
  }

  /** Which hops of X-Forwarded-For are believed: by default none, so a client cannot pick its own address. */
  onModuleInit(): void {
    this.adapter.httpAdapter.getInstance<Application>().set('trust proxy', this.limits.trustProxy);
  }
}
