import { decodeCursor, encodeCursor } from './keyset-cursor';

const ID = '00000000-0000-4000-8000-000000000000';
const cursorAt = (at: string) => Buffer.from(`${at}|${ID}`).toString('base64url');

describe('decodeCursor', () => {
  it.each(['2026-12-01 09:20:59.123456+00', '2024-02-29 23:59:59+05:30', '2026-06-30 00:00:00-15'])('reads back what PostgreSQL wrote: %s', (at) => {
    expect(decodeCursor(encodeCursor({ at, id: ID }))).toEqual({ at, id: ID });
  });

  it.each([
    '2026-13-01 10:00:00+00',
    '2026-02-29 10:00:00+00',
    '2026-04-31 10:00:00+00',
    '2026-01-01 24:00:00+00',
    '2026-01-01 10:60:00+00',
    '0000-01-01 10:00:00+00',
    '2026-01-01 10:00:00+16',
    'not a time',
  ])('refuses a timestamp PostgreSQL could not read: %s', (at) => {
    expect(decodeCursor(cursorAt(at))).toBeNull();
  });

  it('refuses an id that is not a uuid, and text that is not a cursor', () => {
    expect(decodeCursor(Buffer.from('2026-12-01 09:20:59+00|nope').toString('base64url'))).toBeNull();
    expect(decodeCursor('not-a-cursor')).toBeNull();
  });
});
