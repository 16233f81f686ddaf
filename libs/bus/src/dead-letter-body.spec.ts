import { deadLetterBody } from './dead-letter-body';
import { EVENT_STREAM, INBOUND_STREAM } from './topology';

const at = (stream: string, payload: string | object) => ({
  info: { stream },
  data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
});

describe('the body of a dead letter', () => {
  const envelope = {
    id: 'e1',
    subject: 'message.inbound',
    schema_version: 2,
    correlation_id: 'e1',
    occurred_at: 'now',
    data: { kind: 'message', text: 'hi', sealed_claim: { kid: 'c1', iv: 'x', ciphertext: 'SEALED', tag: 'y' } },
  };

  it('carries an inbound event without its sealed claim (nor a legacy plaintext one)', () => {
    const body: unknown = JSON.parse(Buffer.from(deadLetterBody(at(INBOUND_STREAM, envelope))).toString());
    expect(body).toEqual({ ...envelope, data: { kind: 'message', text: 'hi' } });
    const legacy = { ...envelope, schema_version: 1, data: { kind: 'message', claim: { user_id: 'u', user_hash: 'HASH' } } };
    expect(Buffer.from(deadLetterBody(at(INBOUND_STREAM, legacy))).toString()).not.toMatch(/HASH|claim/);
  });

  it('is empty for an event that stays in its stream, and for bytes that are no envelope', () => {
    expect(deadLetterBody(at(EVENT_STREAM, envelope))).toHaveLength(0);
    for (const junk of ['{not json', '"a string"', { data: 'not an object' }]) expect(deadLetterBody(at(INBOUND_STREAM, junk))).toHaveLength(0);
  });
});
