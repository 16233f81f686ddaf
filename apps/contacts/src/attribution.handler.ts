import { ContactAnonymous, ContactAnonymousData, ContactFolded, ContactVerified, ContactVerifiedData, deterministicId, EventEnvelope, MessageStored, VisitorEventFields } from '@inviaro/contracts';
import { counter } from '@inviaro/observability';
import { EventPublisher, OnEvent } from '@inviaro/jetstream';
import { Controller } from '@nestjs/common';
import { ConversationStore, StoredEvent } from './conversation.store';

const folds = counter('inviaro_contact_folds_total', 'Anonymous contacts folded into verified ones');

/** Puts each attributed widget event into the contact it belongs to, then tells the gateways. */
@Controller()
export class AttributionHandler {
  constructor(
    private readonly store: ConversationStore,
    private readonly publisher: EventPublisher,
  ) {}

  @OnEvent(ContactAnonymous)
  async anonymous(event: EventEnvelope<ContactAnonymousData>): Promise<void> {
    await this.announce(event, await this.store.storeAnonymous(event.data));
  }

  @OnEvent(ContactVerified)
  async verified(event: EventEnvelope<ContactVerifiedData>): Promise<void> {
    const stored = await this.store.storeVerified(event.data);
    if (stored.foldedContactId) {
      folds.inc();
      await this.publisher.publish(
        ContactFolded,
        { workspace_id: event.data.workspace_id, user_id: event.data.user_id, from_contact_id: stored.foldedContactId, into_contact_id: stored.contactId, visitor_id: event.data.visitor_id },
        { id: deterministicId(ContactFolded.subject, stored.foldedContactId), correlationId: event.correlation_id },
      );
    }
    await this.announce(event, stored);
  }

  /** message.stored for a visitor's message, after its commit: the open widgets that may see it show it. */
  private async announce(event: EventEnvelope<VisitorEventFields>, stored: StoredEvent): Promise<void> {
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
        user_id: stored.userId,
        author: 'visitor',
        text: event.data.text!,
        created_at: stored.createdAt.toISOString(),
      },
      { id: deterministicId(MessageStored.subject, event.data.message_id), correlationId: event.correlation_id },
    );
  }
}
