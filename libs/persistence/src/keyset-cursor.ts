/**
 * Opaque cursors for keyset paging on (timestamp, id), newest first. The timestamp travels as
 * PostgreSQL's own text (`column::text`), to the microsecond: a JS Date would round it and skip rows.
 */
export interface KeysetPosition {
  at: string;
  id: string;
}

const POSTGRES_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?[+-](\d\d)(?::(\d\d))?$/;

/** PostgreSQL's own text of a timestamptz, with fields it can read back: a forged cursor (month 13) must not reach a query. */
function isTimestampText(text: string): boolean {
  const fields = POSTGRES_TIMESTAMP.exec(text);
  if (!fields) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, , offsetHours = 0, offsetMinutes = 0] = fields
    .slice(1)
    .map((field) => Number(field ?? 0));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return (
    year >= 1 &&
    daysInMonth !== undefined &&
    day >= 1 &&
    day <= daysInMonth &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours <= 15 &&
    offsetMinutes < 60
  );
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at}|${position.id}`).toString('base64url');
}

/** The position a cursor names, or null for anything this API did not hand out. */
export function decodeCursor(cursor: string): KeysetPosition | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  return at !== undefined && id !== undefined && isTimestampText(at) && UUID.test(id) ? { at, id } : null;
}

/** A page of rows fetched with one extra (LIMIT limit + 1): the kept rows, and the cursor after the last of them when there is more. */
export function keysetPage<T extends { id: string; at_exact: string }>(rows: T[], limit: number): { rows: T[]; next: string | null } {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  return { rows: kept, next: rows.length > limit && last ? encodeCursor({ at: last.at_exact, id: last.id }) : null };
}
