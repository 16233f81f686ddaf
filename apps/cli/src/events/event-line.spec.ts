import { MessageInbound } from '@inviaro/contracts';
import { describeEvent, EventLine, formatEventJson, formatEventLine, shownUserId } from './event-line';

const STORED = new Date('2026-11-24T08:00:00.000Z');
const HASH = 'a'.repeat(40) + '0123456789abcdef01234567';
const ids = {
  message_id: '11111111-1111-4111-8111-111111111111',
  workspace_id: '22222222-2222-4222-8222-222222222222',
  widget_id: '33333333-3333-4333-8333-333333333333',
  visitor_id: '44444444-4444-4444-8444-444444444444',
};
const visitorFields = { kind: 'message', ...ids, text: 'PRIVATE-MESSAGE-TEXT', email: 'jane@example.com', name: 'Jane', received_at: STORED.toISOString() };

function event(subject: string, data: object, extra: object = {}): Uint8Array {
  const schemaVersion = subject === MessageInbound.subject ? MessageInbound.schemaVersion : 1;
  return Buffer.from(
    JSON.stringify({
      id: '55555555-5555-4555-8555-555555555555',
      subject,
      schema_version: schemaVersion,
      correlation_id: ids.message_id,
      occurred_at: STORED.toISOString(),
      data,
      ...extra,
    }),
  );
}

/** Whether the text holds a raw escape, CSI or right-to-left override. */
const hasRaw = (text: string) => ['\u001b', '\u009b', '\u202e'].some((c) => text.includes(c));

const line = (subject: string, data: object, extra?: object) => describeEvent(subject, event(subject, data, extra), STORED, 7);

describe('the tail line builder', () => {
  it('shows of message.inbound only whether a (sealed) claim came, never what it holds', () => {
    const sealed = { kid: 'c1', iv: 'aXY=', ciphertext: Buffer.from(HASH).toString('base64'), tag: 'dGFn' };
    const withClaim = line('message.inbound', { ...visitorFields, sealed_claim: sealed });
    expect(withClaim).toEqual({
      time: '2026-11-24T08:00:00.000Z',
      seq: 7,
      subject: 'message.inbound',
      outcome: 'received',
      kind: 'message',
      workspace_id: ids.workspace_id,
      widget_id: ids.widget_id,
      visitor_id: ids.visitor_id,
      claim_present: true,
      correlation_id: ids.message_id,
      event_id: '55555555-5555-4555-8555-555555555555',
      occurred_at: '2026-11-24T08:00:00.000Z',
    });
    expect(formatEventLine(withClaim)).toBe(
      `2026-11-24T08:00:00.000Z #7      message.inbound       received message, with claim   widget=${ids.widget_id} visitor=${ids.visitor_id} corr=${ids.message_id}`,
    );
    for (const text of [formatEventLine(withClaim), formatEventJson(withClaim)]) {
      expect(text).not.toContain(sealed.ciphertext);
      expect(text).not.toContain('PRIVATE-MESSAGE-TEXT');
      expect(text).not.toContain('jane@example.com');
    }

    const without = line('message.inbound', { ...visitorFields });
    expect(without).toEqual(expect.objectContaining({ outcome: 'received', claim_present: false }));
    expect(formatEventLine(without)).toContain('received message, no claim');
    expect(line('message.inbound', { ...visitorFields, sealed_claim: null }).claim_present).toBe(false);
  });

  it('withholds a user id that looks like a user hash (user_id and user_hash swapped)', () => {
    const swapped = line('contact.anonymous', { ...visitorFields, failure_reason: 'mismatch', claimed_user_id: HASH });
    expect(formatEventJson(swapped)).not.toContain(HASH);
    expect(swapped.claimed_user_id).toBe('[withheld: looks like a user hash]');
    expect(shownUserId(HASH.toUpperCase())).toBe('[withheld: looks like a user hash]');
  });

  it('names each outcome', () => {
    const cases: Array<[string, object, string, Partial<EventLine>]> = [
      [
        'contact.verified',
        { ...visitorFields, user_id: 'usr_1', secret_version: 2 },
        'verified (secret v2)',
        { outcome: 'verified', user_id: 'usr_1', secret_version: 2 },
      ],
      [
        'contact.anonymous',
        { ...visitorFields, failure_reason: 'mismatch', claimed_user_id: 'usr_1' },
        'anonymous: mismatch',
        { failure_reason: 'mismatch', claimed_user_id: 'usr_1' },
      ],
      ['contact.anonymous', { ...visitorFields }, 'anonymous: no claim', { outcome: 'anonymous' }],
      [
        'contact.folded',
        { workspace_id: ids.workspace_id, user_id: 'usr_1', from_contact_id: ids.message_id, into_contact_id: ids.widget_id, visitor_id: ids.visitor_id },
        'folded',
        { from_contact_id: ids.message_id, into_contact_id: ids.widget_id, user_id: 'usr_1' },
      ],
      [
        'message.stored',
        {
          ...ids,
          contact_id: ids.workspace_id,
          conversation_id: ids.widget_id,
          author: 'operator',
          text: 'PRIVATE-MESSAGE-TEXT',
          created_at: STORED.toISOString(),
        },
        'stored (by operator)',
        { author: 'operator', contact_id: ids.workspace_id },
      ],
      ['widget.secret.rotated', { workspace_id: ids.workspace_id, widget_id: ids.widget_id, secret_version: 3 }, 'rotated to secret v3', { secret_version: 3 }],
      [
        'visitor.logged_out',
        { workspace_id: ids.workspace_id, widget_id: ids.widget_id, visitor_id: ids.visitor_id },
        'logged out',
        { outcome: 'logged_out', visitor_id: ids.visitor_id },
      ],
    ];
    for (const [subject, data, text, fields] of cases) {
      const built = line(subject, data);
      expect(built).toEqual(expect.objectContaining({ subject, correlation_id: ids.message_id, ...fields }));
      expect(formatEventLine(built)).toContain(text);
      expect(formatEventLine(built)).toContain(`corr=${ids.message_id}`);
      expect(formatEventJson(built)).not.toContain('PRIVATE-MESSAGE-TEXT');
    }
  });

  it('says an event is not JSON or of an unknown shape, without its bytes', () => {
    const garbage = describeEvent('message.inbound', Buffer.from(`not json ${HASH}`), STORED, 9);
    expect(garbage).toEqual({ time: STORED.toISOString(), seq: 9, subject: 'message.inbound', outcome: 'unreadable', problem: 'not JSON (73 bytes)' });
    expect(formatEventLine(garbage)).toBe('2026-11-24T08:00:00.000Z #9      message.inbound       unreadable: not JSON (73 bytes)');

    const wrongShape = describeEvent('contact.verified', event('contact.verified', { user_id: HASH, secret_version: 'x' }), STORED, 10);
    expect(wrongShape.outcome).toBe('unreadable');
    expect(wrongShape.problem).toMatch(/^unknown shape \(invalid .*secret_version.*; \d+ bytes\)$/);
    expect(wrongShape.correlation_id).toBe(ids.message_id);
    expect(formatEventJson(wrongShape)).not.toContain(HASH);

    const futureSchema = describeEvent('contact.verified', event('contact.verified', {}, { schema_version: HASH }), STORED, 11);
    expect(futureSchema.problem).toMatch(/^unknown shape \(unsupported schema_version; \d+ bytes\)$/);
    expect(formatEventJson(futureSchema)).not.toContain(HASH);

    expect(describeEvent('message.inbound', Buffer.from('"text"'), STORED, 12).problem).toBe('unknown shape (payload is not an object; 6 bytes)');
    expect(describeEvent('something.else', Buffer.from('{}'), STORED, 13)).toEqual(
      expect.objectContaining({ outcome: 'unreadable', problem: 'unknown subject (2 bytes)' }),
    );
  });

  it('keeps a hostile user id from driving the terminal', () => {
    const hostile = line('contact.verified', { ...visitorFields, user_id: 'usr\u001b[2J\u009b31m\u202eevil name', secret_version: 1 });
    const text = formatEventLine(hostile);
    expect(hasRaw(text)).toBe(false);
    expect(text).toContain('user="usr\\\\u001b[2J\\\\u009b31m\\\\u202eevil name"');
    expect(hasRaw(formatEventJson(hostile))).toBe(false);
    expect((JSON.parse(formatEventJson(hostile)) as { user_id: string }).user_id).toBe('usr\\u001b[2J\\u009b31m\\u202eevil name');
  });
});
