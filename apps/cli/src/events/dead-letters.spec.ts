import { headers } from 'nats';
import { formatDeadLetters, formatRedrive, readDeadLetter, redriveHeaders, redriveMsgId } from './dead-letters';

const AT = new Date('2026-11-24T12:00:00.000Z');

describe('dead letters', () => {
  it('reads a dead letter from its headers', () => {
    const h = headers();
    h.set('Inviaro-Stream', 'INVIARO_EVENTS');
    h.set('Inviaro-Stream-Sequence', '42');
    h.set('Inviaro-Subject', 'message.inbound');
    h.set('Inviaro-Consumer', 'verifier_message_inbound');
    h.set('Inviaro-Deliveries', '1');
    h.set('Inviaro-Reason', 'message.inbound: payload is not JSON');
    const record = readDeadLetter(h, 'dead-letter.message.inbound', 3, AT);
    expect(record).toEqual({
      dead_letter_seq: 3,
      time: '2026-11-24T12:00:00.000Z',
      subject: 'message.inbound',
      consumer: 'verifier_message_inbound',
      deliveries: 1,
      reason: 'message.inbound: payload is not JSON',
      stream: 'INVIARO_EVENTS',
      stream_seq: 42,
    });
    expect(formatDeadLetters([{ ...record, original: 'kept' }]).split('\n')).toEqual([
      expect.stringMatching(/^TIME\s+SUBJECT\s+CONSUMER\s+DELIVERIES\s+ORIGINAL\s+DEAD LETTER\s+REASON$/),
      expect.stringMatching(
        /^2026-11-24T12:00:00.000Z\s+message\.inbound\s+verifier_message_inbound\s+1\s+INVIARO_EVENTS #42\s+#3\s+message\.inbound: payload is not JSON$/,
      ),
    ]);
    expect(formatDeadLetters([{ ...record, original: 'gone' }])).toContain('INVIARO_EVENTS #42 (gone)');
    expect(formatDeadLetters([])).toBe('no dead letters');
  });

  it('tolerates a dead letter without its headers', () => {
    expect(readDeadLetter(undefined, 'dead-letter.contact.verified', 5, AT)).toEqual(
      expect.objectContaining({ subject: 'contact.verified', consumer: '?', deliveries: null, stream: '?', stream_seq: null, reason: '(no reason given)' }),
    );
  });

  it('re-drives under a fresh de-duplication id, without the original NATS headers', () => {
    expect(redriveMsgId('INVIARO_EVENTS', 42, AT)).toBe(`redrive:INVIARO_EVENTS:42:${AT.getTime()}`);
    const original = headers();
    original.set('Nats-Msg-Id', 'abc');
    original.set('Traceparent', '00-1-2-01');
    const h = redriveHeaders(original, 'INVIARO_EVENTS', 42);
    expect(h.get('Nats-Msg-Id')).toBe('');
    expect(h.get('Traceparent')).toBe('00-1-2-01');
    expect(h.get('Inviaro-Redriven-From')).toBe('INVIARO_EVENTS:42');
    expect(redriveHeaders(undefined, 'S', 1).get('Inviaro-Redriven-From')).toBe('S:1');
  });

  it('says what it did', () => {
    const base = { subject: 'message.inbound', stream: 'INVIARO_EVENTS', stream_seq: 42, dead_letter_seqs: [3, 4] };
    expect(formatRedrive({ ...base, action: 'redriven', new_stream: 'INVIARO_EVENTS', new_seq: 57 })).toBe(
      're-driven: message.inbound INVIARO_EVENTS #42 -> INVIARO_EVENTS #57 (dead letter #3, #4 removed)',
    );
    expect(formatRedrive({ ...base, action: 'refused', reason: 'the original INVIARO_EVENTS #42 is gone' })).toBe(
      'refused:   message.inbound INVIARO_EVENTS #42: the original INVIARO_EVENTS #42 is gone',
    );
  });
});
