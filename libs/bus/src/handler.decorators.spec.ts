import { ContactsHistory, encodeEvent, InvalidEventError, MessageStored } from '@inviaro/contracts';
import { EventHandlerExtras, RequestHandlerExtras } from '@inviaro/jetstream';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants';
import { OnEvent, OnRequest } from './handler.decorators';

class Handlers {
  @OnEvent(MessageStored, { broadcast: true })
  stored(): void {}

  @OnRequest(ContactsHistory)
  history(): void {}
}

const extrasOf = (method: keyof Handlers): unknown =>
  Reflect.getMetadata(PATTERN_EXTRAS_METADATA, (Handlers.prototype as unknown as Record<keyof Handlers, object>)[method]);

describe('a handler’s contract, as the transport sees it', () => {
  it('an event handler decodes and validates the envelope against its contract, and keeps its options', () => {
    const { decode, broadcast } = extrasOf('stored') as EventHandlerExtras;
    expect(broadcast).toBe(true);
    const invalid = { id: 'e1', subject: MessageStored.subject, schema_version: 1, correlation_id: 'c1', occurred_at: 'now', data: { text: 7 } };
    expect(() => decode!(encodeEvent(invalid))).toThrow(InvalidEventError);
  });

  it('a request handler validates the parsed request against its contract', () => {
    const { decode } = extrasOf('history') as RequestHandlerExtras;
    expect(() => decode!({ workspace_id: 42 })).toThrow(InvalidEventError);
  });
});
