import Redis from 'ioredis';
import { IDENTITY_POLICIES, IdentityPolicy } from '@inviaro/contracts';
import { SecretChange, WidgetSecretVersions } from './widget-secret.vault';

/** What a widget's last changes marked for live streams to compare with what they verified under. */
export interface WidgetMarks {
  /** The oldest secret version that still verifies (0 where none is marked). */
  liveFrom: number;
  /** The identity policy its last policy change set; absent where none was marked (streams keep what they verified by). */
  policy?: IdentityPolicy;
  /** The allowed origins its last settings change left (none once deleted); absent where none was marked (streams keep theirs). */
  origins?: string[];
}

/**
 * The verifier's hot-path cache of decrypted widget secrets (and identity policy) in Redis, with a bounded lifetime.
 *
 * Rotation safety: each widget has two markers next to its entry, the oldest secret version that
 * still verifies and the generation of its last change (rotate, stage, retire, policy). A change
 * raises them (before its PostgreSQL commit) and deletes the entry; a reader ignores an entry
 * older than either marker, and a fill of an older one is refused inside Redis. So a fill that
 * read the old state just before a change can never be served after it.
 */
export class SecretCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** One round trip. */
  async get(widgetId: string): Promise<WidgetSecretVersions | undefined> {
    const [entry, marker, generation] = await this.redis.mget(entryKey(widgetId), markerKey(widgetId), generationKey(widgetId));
    if (!entry) return undefined;
    const versions = JSON.parse(entry) as WidgetSecretVersions;
    return versions.version < Number(marker ?? 0) || (versions.generation ?? 0) < Number(generation ?? 0) ? undefined : versions;
  }

  async fill(widgetId: string, versions: WidgetSecretVersions): Promise<void> {
    await this.redis.eval(
      FILL_UNLESS_SUPERSEDED,
      3,
      entryKey(widgetId),
      markerKey(widgetId),
      generationKey(widgetId),
      versions.version,
      versions.generation ?? 0,
      JSON.stringify(versions),
      this.ttlSeconds,
    );
  }

  /** Each widget's marks, in one round trip: what live streams compare with the version and the claim they verified by. */
  async marks(widgetIds: string[]): Promise<WidgetMarks[]> {
    const values = await this.redis.mget(...widgetIds.flatMap((id) => [markerKey(id), policyKey(id), originsKey(id)]));
    return widgetIds.map((_, i) => {
      const [liveFrom, policy, origins] = values.slice(3 * i, 3 * i + 3);
      return {
        liveFrom: Number(liveFrom ?? 0),
        ...(IDENTITY_POLICIES.some((known) => known === policy) ? { policy: policy as IdentityPolicy } : {}),
        ...(origins ? { origins: JSON.parse(origins) as string[] } : {}),
      };
    });
  }

  /**
   * Marks the widget's allowed origins after a change of them (none: the widget is deleted), before the change
   * commits: a live stream opened from an origin no longer among them ends at its next delivery or check.
   */
  async markOrigins(widgetId: string, origins: string[]): Promise<void> {
    await this.redis.set(originsKey(widgetId), JSON.stringify(origins), 'EX', MARKER_TTL_SECONDS);
  }

  async invalidate(widgetId: string, change: SecretChange): Promise<void> {
    const keys = [entryKey(widgetId), markerKey(widgetId), generationKey(widgetId), policyKey(widgetId)];
    await this.redis.eval(RAISE_MARKERS_AND_DROP, keys.length, ...keys, change.liveFrom, change.generation, MARKER_TTL_SECONDS, change.policy ?? '');
  }
}

/** Outlives any fill in flight by far; a marker only needs to beat reads that began before it. */
const MARKER_TTL_SECONDS = 7 * 24 * 3600;

// A widget's keys share a hash tag, so the scripts stay valid on a Redis Cluster.
const entryKey = (widgetId: string) => `inviaro:{${widgetId}}:secret`;
const markerKey = (widgetId: string) => `inviaro:{${widgetId}}:secret-version`;
const generationKey = (widgetId: string) => `inviaro:{${widgetId}}:secret-generation`;
const policyKey = (widgetId: string) => `inviaro:{${widgetId}}:identity-policy`;
const originsKey = (widgetId: string) => `inviaro:{${widgetId}}:allowed-origins`;

const FILL_UNLESS_SUPERSEDED = `
if tonumber(ARGV[1]) < tonumber(redis.call('GET', KEYS[2]) or '0') then return 0 end
if tonumber(ARGV[2]) < tonumber(redis.call('GET', KEYS[3]) or '0') then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return 1`;

// A policy is marked by the newest change only (changes are serialised per widget, so this is a guard).
const RAISE_MARKERS_AND_DROP = `
local newest = tonumber(ARGV[2]) >= tonumber(redis.call('GET', KEYS[3]) or '0')
if ARGV[4] ~= '' and newest then redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[3]) end
for i = 2, 3 do
  if tonumber(ARGV[i - 1]) > tonumber(redis.call('GET', KEYS[i]) or '0') then redis.call('SET', KEYS[i], ARGV[i - 1], 'EX', ARGV[3]) end
end
redis.call('DEL', KEYS[1])
return 1`;
