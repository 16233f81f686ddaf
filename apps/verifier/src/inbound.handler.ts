import { ContactAnonymous, deterministicId, EventEnvelope, MessageInbound, MessageInboundData } from '@inviaro/contracts';
import { EventPublisher, OnEvent } from '@inviaro/jetstream';
import { Controller } from '@nestjs/common';

/**
 * Decides who an inbound widget event belongs to. Walking skeleton: every event is anonymous
 * until claim verification lands.
 */
@Controller()
export class InboundHandler {
  constructor(private readonly publisher: EventPublisher) {}

  @OnEvent(MessageInbound)
  async handle(event: EventEnvelope<MessageInboundData>): Promise<void> {
    const { claim: _claim, ...fields } = event.data;
    await this.publisher.publish(ContactAnonymous, fields, {
      id: deterministicId(ContactAnonymous.subject, event.id),
      correlationId: event.correlation_id,
    });
  }
}
