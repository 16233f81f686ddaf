import { durationMs } from './duration';

// A date, optionally with a time (T or space), seconds, fraction and zone. Without a zone: local time.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * `--since`: a duration back from now (`30s`, `10m`, `1.5h`, `2d`, `1w`) or an ISO-8601 time
 * (`2026-11-24T08:00:00Z`; a bare date is midnight UTC, a time without a zone is local time).
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim();
  const ago = durationMs(value);
  if (ago !== undefined) return new Date(now.getTime() - ago);
  if (ISO_TIME.test(value)) {
    const time = new Date(value.replace(' ', 'T'));
    if (Number.isNaN(time.getTime())) throw new Error(`--since: "${value}" is not a valid time`);
    if (time.getTime() > now.getTime()) throw new Error(`--since: ${time.toISOString()} is in the future`);
    return time;
  }
  throw new Error(`--since: expected a duration such as 30s, 10m, 1h, 2d or an ISO time such as 2026-11-24T08:00:00Z, not "${value.slice(0, 40)}"`);
}
