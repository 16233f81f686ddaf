import { ContactVerified, InvalidEventError, MessageInbound } from '@inviaro/contracts';
import { BUS_ROUTING } from './bus-routing';
import { DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM } from './topology';

describe('what the transport is told about this system', () => {
  it('routes each subject to the stream the topology stores it in, and its dead letters to theirs', () => {
    expect(BUS_ROUTING.streamOf(MessageInbound.subject)).toBe(INBOUND_STREAM);
    expect(BUS_ROUTING.streamOf(ContactVerified.subject)).toBe(EVENT_STREAM);
    expect(BUS_ROUTING.streamOf(`${BUS_ROUTING.deadLetterPrefix}.${MessageInbound.subject}`)).toBe(DEAD_LETTER_STREAM);
  });

  it('names a service’s durable consumer as the permissions do', () => {
    expect(BUS_ROUTING.consumerName('verifier', MessageInbound.subject)).toBe('verifier_message_inbound');
  });

  it('takes only the contracts’ validation error for an invalid message (dead-lettered at once; a request’s caller’s fault)', () => {
    expect(BUS_ROUTING.isInvalidMessage(new InvalidEventError('user_id must be a string'))).toBe(true);
    expect(BUS_ROUTING.isInvalidMessage(new Error('database away'))).toBe(false);
  });
});
