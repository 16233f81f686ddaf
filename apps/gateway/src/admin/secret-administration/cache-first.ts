import { SecretCache, SecretChange } from '@inviaro/widget-secrets';
import { unavailable } from '../../http/api-error';

/**
 * The vault's `beforeCommit` step: the cache is told before the change commits, and a failure rolls the
 * change back (503 `code`): with the cache out of reach, the old state could outlive it somewhere.
 */
export function cacheFirst(cache: SecretCache, widgetId: string, code: string, done: string): (change: SecretChange) => Promise<void> {
  return async (change) => {
    await cache.invalidate(widgetId, change).catch(() => {
      throw unavailable(code, `the secret cache could not be invalidated, so nothing was ${done}; try again`);
    });
  };
}

/** The same for a change of the widget's allowed origins (none: it is deleted), which live streams compare with theirs. */
export async function originsFirst(cache: SecretCache, widgetId: string, origins: string[], code: string, done: string): Promise<void> {
  await cache.markOrigins(widgetId, origins).catch(() => {
    throw unavailable(code, `the secret cache could not be told, so nothing was ${done}; try again`);
  });
}
