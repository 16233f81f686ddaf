import Redis from 'ioredis';

const MINUTE_MS = 60_000;
const WINDOW_MINUTES = 60;

/**
 * How many claims verified under a widget's previous secret while a staged rotation lets it
 * verify: the verifier counts, per widget, secret version and minute, in Redis (the keys name
 * no secret); the admin API sums the last hour before a retire.
 */
export class PreviousSecretUses {
  constructor(private readonly redis: Redis) {}

  async count(widgetId: string, version: number, now = Date.now()): Promise<void> {
    const key = minuteKey(widgetId, version, Math.floor(now / MINUTE_MS));
    // Kept a minute past the window, so that the last hour's sum never misses a bucket still in it.
    await this.redis
      .multi()
      .incr(key)
      .expire(key, (WINDOW_MINUTES + 1) * 60)
      .exec();
  }

  /** Claims under this version in the last hour (60 minute buckets, the current one included). */
  async lastHour(widgetId: string, version: number, now = Date.now()): Promise<number> {
    const minute = Math.floor(now / MINUTE_MS);
    const keys = Array.from({ length: WINDOW_MINUTES }, (_, back) => minuteKey(widgetId, version, minute - back));
    const counts = await this.redis.mget(...keys);
    return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
  }
}

const minuteKey = (widgetId: string, version: number, minute: number) => `inviaro:{${widgetId}}:uses:v${version}:${minute}`;
