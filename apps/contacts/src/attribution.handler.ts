import { ContactAnonymous, ContactAnonymousData, deterministicId, EventEnvelope, MessageStored } from '@inviaro/contracts';
import { EventPublisher, OnEvent } from '@inviaro/jetstream';
import { Controller } from '@nestjs/common';
import { ConversationStore } from './conversation.store';

/** Puts each attributed widget event into the contact it belongs to. */
@Controller()
export class AttributionHandler {
  constructor(
    private readonly store: ConversationStore,
    private readonly publisher: EventPublisher,
  ) {}

  @OnEvent(ContactAnonymous)
  async anonymous(event: EventEnvelope<ContactAnonymousData>): Promise<void> {
    const stored = await this.store.storeAnonymous(event.data);
    if (event.data.kind !== 'message') return;
    await this.publisher.publish(
      MessageStored,
      {
        message_id: event.data.message_id,
        workspace_id: event.data.workspace_id,
        widget_id: event.data.widget_id,
        contact_id: stored.contactId,
        conversation_id: stored.conversationId,
        visitor_id: event.data.visitor_id,
        author: 'visitor',
        text: event.data.text!,
        created_at: stored.createdAt.toISOString(),
      },
      { id: deterministicId(MessageStored.subject, event.data.message_id), correlationId: event.correlation_id },
    );
  }
}
