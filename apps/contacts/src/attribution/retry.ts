/**
 * PostgreSQL errors that a second attempt of the same transaction can get past: it lost a race
 * with another transaction (another instance, another batch), not a problem with its data.
 */
const TRANSIENT = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '23505', // unique_violation: an insert raced another one past a check
  '23503', // foreign_key_violation: a row it pointed at was moved by a fold that committed first
]);

export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

export function isTransient(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && TRANSIENT.has(state);
}

export interface RetryOptions {
  attempts: number;
  /** Delay before the second attempt; doubled each time, with jitter, so that racing transactions part. */
  baseDelayMs: number;
}

/** Runs `attempt` (a whole transaction) again while it fails with a transient error, a bounded number of times. */
export async function withRetries<T>(attempt: () => Promise<T>, options: RetryOptions = { attempts: 6, baseDelayMs: 5 }): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i >= options.attempts || !isTransient(error)) throw error;
      const delay = options.baseDelayMs * 2 ** (i - 1);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * delay));
    }
  }
}
