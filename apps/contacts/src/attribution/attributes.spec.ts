import { ContactVerifiedData } from '@inviaro/contracts';
import { laterOf, verifiedContactRows } from './attributes';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';

describe('laterOf (the attribute rule: the latest received value, a tie in time to the greater value)', () => {
  it('takes a value where there is none, and keeps what there is when the event carries none', () => {
    expect(laterOf(undefined, 'a@example.com', T0)).toEqual({ value: 'a@example.com', at: T0 });
    expect(laterOf({ value: 'a@example.com', at: T0 }, undefined, T1)).toEqual({ value: 'a@example.com', at: T0 });
  });

  it('keeps the value of the event received later, whichever comes first', () => {
    const early = { value: 'z@example.com', at: T0 };
    expect(laterOf(early, 'a@example.com', T1)).toEqual({ value: 'a@example.com', at: T1 });
    expect(laterOf({ value: 'a@example.com', at: T1 }, 'z@example.com', T0)).toEqual({ value: 'a@example.com', at: T1 });
  });

  it('on a tie in time, the greater value, in either order', () => {
    expect(laterOf({ value: 'a', at: T0 }, 'b', T0)).toEqual({ value: 'b', at: T0 });
    expect(laterOf({ value: 'b', at: T0 }, 'a', T0)).toEqual({ value: 'b', at: T0 });
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
      { workspace: 'w1', user: 'usr_1', email: { value: 'new@example.com', at: T1 }, name: { value: 'Ana', at: T0 }, lastSeen: T1 },
      { workspace: 'w1', user: 'usr_2', lastSeen: T0 },
      { workspace: 'w2', user: 'usr_1', lastSeen: T0 },
    ]);
  });
});
