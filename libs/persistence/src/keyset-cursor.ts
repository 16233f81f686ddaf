/**
 * Opaque cursors for keyset paging on (timestamp, id), newest first. The timestamp travels as
 * PostgreSQL's own text (`column::text`), to the microsecond: a JS Date would round it and skip rows.
 */
export interface KeysetPosition {
  at: string;
  id: string;
}

const POSTGRES_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at}|${position.id}`).toString('base64url');
}

/** The position a cursor names, or null for anything this API did not hand out. */
export function decodeCursor(cursor: string): KeysetPosition | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  return POSTGRES_TIMESTAMP.test(at ?? '') && UUID.test(id ?? '') ? { at, id } : null;
}
