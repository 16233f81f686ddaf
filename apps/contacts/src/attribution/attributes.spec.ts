import { ContactVerifiedData } from '@inviaro/contracts';
import { laterOf, verifiedContactRows } from './attributes';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';
const T2 = '2026-01-01T00:00:02.000Z';
const self = (value: string, at: string) => ({ value, at, signed: false });
const signed = (value: string, at: string) => ({ value, at, signed: true });

describe('laterOf (the attribute rule: signed first, then the latest received value, a tie in time to the greater value)', () => {
  it('takes a value where there is none, and keeps what there is when the event carries none', () => {
    expect(laterOf(undefined, 'a@example.com', T0)).toEqual(self('a@example.com', T0));
    expect(laterOf(self('a@example.com', T0), undefined, T1)).toEqual(self('a@example.com', T0));
    expect(laterOf(signed('a@example.com', T0), undefined, T1, true)).toEqual(signed('a@example.com', T0));
  });

  it('keeps the value of the event received later, whichever comes first', () => {
    expect(laterOf(self('z@example.com', T0), 'a@example.com', T1)).toEqual(self('a@example.com', T1));
    expect(laterOf(self('a@example.com', T1), 'z@example.com', T0)).toEqual(self('a@example.com', T1));
  });

  it('on a tie in time, the greater value, in either order', () => {
    expect(laterOf(self('a', T0), 'b', T0)).toEqual(self('b', T0));
    expect(laterOf(self('b', T0), 'a', T0)).toEqual(self('b', T0));
  });

  it('on a tie in time, orders values by code point, as COLLATE "C" does in SQL (not by UTF-16 unit)', () => {
    // U+1F600 is above U+FFFD, but its first UTF-16 unit (0xD83D) is below 0xFFFD.
    expect(laterOf(self('\uFFFD', T0), '\u{1F600}', T0)).toEqual(self('\u{1F600}', T0));
    expect(laterOf(self('\u{1F600}', T0), '\uFFFD', T0)).toEqual(self('\u{1F600}', T0));
  });

  it('never lets an unsigned value replace a signed one, however much later it was received', () => {
    expect(laterOf(signed('signed@example.com', T0), 'typed@example.com', T2)).toEqual(signed('signed@example.com', T0));
  });

  it('lets a signed value replace an unsigned one, even one received later', () => {
    expect(laterOf(self('typed@example.com', T2), 'signed@example.com', T0, true)).toEqual(signed('signed@example.com', T0));
  });

  it('between two signed values, the later received one', () => {
    expect(laterOf(signed('old@example.com', T0), 'new@example.com', T1, true)).toEqual(signed('new@example.com', T1));
    expect(laterOf(signed('new@example.com', T1), 'old@example.com', T0, true)).toEqual(signed('new@example.com', T1));
  });
});

describe('verifiedContactRows', () => {
  const verified = (fields: Partial<ContactVerifiedData>) =>
    ({ workspace_id: 'w1', user_id: 'usr_1', visitor_id: 'v', received_at: T0, ...fields }) as ContactVerifiedData;

  it('gathers a batch per (workspace, user): latest attributes, last time seen', () => {
    const rows = verifiedContactRows([
      verified({ email: 'new@example.com', received_at: T1 }),
      verified({ email: 'old@example.com', name: 'Ana', received_at: T0 }),
      verified({ user_id: 'usr_2' }),
      verified({ workspace_id: 'w2' }),
    ]);
    expect(rows).toEqual([
      { workspace: 'w1', user: 'usr_1', email: self('new@example.com', T1), name: self('Ana', T0), lastSeen: T1 },
      { workspace: 'w1', user: 'usr_2', lastSeen: T0 },
      { workspace: 'w2', user: 'usr_1', lastSeen: T0 },
    ]);
  });

  it('reads which attributes came signed from signed_attributes, one by one', () => {
    const [row] = verifiedContactRows([
      verified({ email: 'signed@example.com', name: 'Typed', signed_attributes: ['email'], received_at: T0 }),
      verified({ email: 'typed@example.com', name: 'Later', received_at: T1 }),
    ]);
    expect(row).toEqual({ workspace: 'w1', user: 'usr_1', email: signed('signed@example.com', T0), name: self('Later', T1), lastSeen: T1 });
  });
});
