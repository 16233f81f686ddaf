import { VisitorEventFields } from '@inviaro/contracts';
import { byReceived } from './attribution-input';

const event = (received_at: string, message_id: string) => ({ received_at, message_id }) as VisitorEventFields;

describe('byReceived', () => {
  it('orders by the time the gateway received the event, not by message id', () => {
    const early = event('2026-01-01T00:00:00.000Z', 'ffffffff-0000-4000-8000-000000000000');
    const late = event('2026-01-01T00:00:00.001Z', '00000000-0000-4000-8000-000000000000');
    expect([late, early].sort(byReceived)).toEqual([early, late]);
  });

  it('breaks a tie in time by message id, and compares the same instant written differently as equal', () => {
    const a = event('2026-01-01T01:00:00.000+01:00', '00000000-0000-4000-8000-00000000000a');
    const b = event('2026-01-01T00:00:00.000Z', '00000000-0000-4000-8000-00000000000b');
    expect([b, a].sort(byReceived)).toEqual([a, b]);
    expect(byReceived(a, a)).toBe(0);
  });
});
