import { REDIS } from '@inviaro/widget-secrets';
import { CanActivate, DynamicModule, ExecutionContext, Inject, Injectable, Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Application, NextFunction, Request, Response } from 'express';
import Redis from 'ioredis';
import { GatewayConfig } from '@inviaro/config';
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
  adminFailures: number;
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

/** A window's hits so far and milliseconds left, counting nothing. */
const READ_WINDOW = `return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1])}`;

/** What the client-address budgets are keyed on: `ip` honours TRUST_PROXY, so it is the client's address, not a proxy's or one the client wrote itself. */
function addressOf(request: { ip?: string }): string {
  return addressBudgetKey(request.ip ?? 'unknown');
}

const redisKey = (budget: Budget) => `inviaro:rate:${budget.key}`;

/** The 429 of a budget past its limit, with the seconds left in its window. */
function rateLimited(msLeft: number): ApiError {
  return new ApiError(429, 'rate_limited', 'too many requests; slow down', Math.max(1, Math.ceil(msLeft / 1000)));
}

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
    @Inject(LIMITS) private readonly limits: Limits,
  ) {}

  /** Spends one call from each budget; 429 when any of them is past its limit. */
  async spend(budgets: Budget[]): Promise<void> {
    const counts = await this.unlessRedisAway(() => this.counts.call(budgets.map(redisKey)));
    if (!counts) return;
    const blockedMs = budgets.reduce((ms, budget, i) => ((counts[2 * i] ?? 0) > budget.limit ? Math.max(ms, counts[2 * i + 1] ?? 0) : ms), -1);
    if (blockedMs >= 0) throw rateLimited(blockedMs);
  }

  /** 429 when the budget is already used up, spending nothing: for budgets spent only by calls that fail. */
  async refuseIfSpent(budget: Budget): Promise<void> {
    const window = await this.unlessRedisAway(async () => (await this.redis.eval(READ_WINDOW, 1, redisKey(budget))) as number[]);
    const [hits = 0, msLeft = 0] = window ?? [];
    if (hits >= budget.limit) throw rateLimited(msLeft);
  }

  /** While Redis is away nothing is enforced (undefined), with a warning at most every 10 s. */
  private async unlessRedisAway<T>(count: () => Promise<T>): Promise<T | undefined> {
    try {
      return await count();
    } catch (error) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn(`rate limits not enforced: Redis unavailable (${error instanceof Error ? error.message : String(error)})`);
      }
      return undefined;
    }
  }

  /** The client address's budget for every widget call, spent before anything of the call is read. */
  address(request: { ip?: string }): Budget {
    return { key: `address:${addressOf(request)}`, limit: this.limits.address };
  }

  /** The client address's budget for creating visitors. */
  newVisitors(request: { ip?: string }): Budget {
    return { key: `new-visitors:${addressOf(request)}`, limit: this.limits.newVisitors };
  }

  /** The client address's budget of failed admin authentications: past it, the address's tokens are not looked up. */
  adminFailures(request: { ip?: string }): Budget {
    return { key: `admin-failures:${addressOf(request)}`, limit: this.limits.adminFailures };
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

/**
 * The client address's own budget, spent by every widget call first, before its body is read and
 * before its key, origin or token is looked at: a flood from one address spends that address's
 * budget and nobody else's, made-up keys and tokens reach PostgreSQL at most that often per address,
 * and a body the parser refuses (not JSON, too large, a wrong charset) is counted like any other call.
 * Express middleware, mounted ahead of the body parsers on `/v1/widget`.
 */
export function spendAddressBudget(budgets: RateBudgets) {
  return (request: Request, _response: Response, next: NextFunction): void => {
    if (request.method !== 'POST') return next();
    budgets.spend([budgets.address(request)]).then(() => next(), next);
  };
}

/** Visitor creation also spends the client address's visitor-creation budget. */
@Injectable()
export class NewVisitorsRateLimit implements CanActivate {
  constructor(private readonly budgets: RateBudgets) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.budgets.spend([this.budgets.newVisitors(context.switchToHttp().getRequest<Request>())]);
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
      adminFailures: config.RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE,
      trustProxy: trustProxy(config.TRUST_PROXY),
    };
    return { module: RateLimitsModule, global: true, providers: [{ provide: LIMITS, useValue: limits }, RateBudgets], exports: [RateBudgets] };
  }

  /** Which hops of X-Forwarded-For are believed: by default none, so a client cannot pick its own address. */
  onModuleInit(): void {
    this.adapter.httpAdapter.getInstance<Application>().set('trust proxy', this.limits.trustProxy);
  }
}
