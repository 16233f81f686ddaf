import Redis from 'ioredis';
import { WidgetSecretVersions } from './widget-secret.vault';

/**
 * The verifier's hot-path cache of decrypted widget secrets in Redis, with a bounded lifetime.
 *
 * Rotation safety: each widget has a version marker next to its entry. A rotation raises the
 * marker (before its PostgreSQL commit) and deletes the entry; a reader ignores an entry older
 * than the marker, and a fill of an older version than the marker is refused inside Redis. So a
 * fill that read the old secret just before a rotation can never be served after it.
 */
export class SecretCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** One round trip. */
  async get(widgetId: string): Promise<WidgetSecretVersions | undefined> {
    const [entry, marker] = await this.redis.mget(entryKey(widgetId), markerKey(widgetId));
    if (!entry) return undefined;
    const versions = JSON.parse(entry) as WidgetSecretVersions;
    return marker && versions.version < Number(marker) ? undefined : versions;
  }

  async fill(widgetId: string, versions: WidgetSecretVersions): Promise<void> {
    await this.redis.eval(FILL_UNLESS_SUPERSEDED, 2, entryKey(widgetId), markerKey(widgetId), versions.version, JSON.stringify(versions), this.ttlSeconds);
  }

  /** Each widget's secret version as its last rotation marked it (0 where none is marked), in one round trip: what live streams compare with the version they verified under. */
  async markedVersions(widgetIds: string[]): Promise<number[]> {
    const markers = await this.redis.mget(...widgetIds.map(markerKey));
    return markers.map((marker) => Number(marker ?? 0));
  }

  async invalidate(widgetId: string, newVersion: number): Promise<void> {
    await this.redis.eval(RAISE_MARKER_AND_DROP, 2, entryKey(widgetId), markerKey(widgetId), newVersion, MARKER_TTL_SECONDS);
  }
}

/** Outlives any fill in flight by far; a marker only needs to beat reads that began before it. */
const MARKER_TTL_SECONDS = 7 * 24 * 3600;

// Both keys share a hash tag, so the scripts stay valid on a Redis Cluster.
const entryKey = (widgetId: string) => `inviaro:{${widgetId}}:secret`;
const markerKey = (widgetId: string) => `inviaro:{${widgetId}}:secret-version`;

const FILL_UNLESS_SUPERSEDED = `
local marker = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) < marker then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

const RAISE_MARKER_AND_DROP = `
local marker = tonumber(redis.call('GET', KEYS[2]) or '0')
if tonumber(ARGV[1]) > marker then redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2]) end
redis.call('DEL', KEYS[1])
return 1`;
