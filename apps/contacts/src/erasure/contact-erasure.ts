import {
  ContactErased,
  ContactHeld,
  ContactsErased,
  EraseContact,
  EraseContactRequest,
  erasedUserDigest,
  ExportContact,
  GetContactRequest,
  newId,
  WidgetContacts,
  WidgetContactsRequest,
} from '@inviaro/contracts';
import { EventPublisher, OnRequest } from '@inviaro/bus';
import { NATS_CONNECTION } from '@inviaro/jetstream';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { queryRows, transaction } from '@inviaro/persistence';
import { Controller, Inject } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { Pool } from 'pg';
import { Logger } from 'pino';
import { withRetries } from '../attribution/retry';
import { CONTACT_COLUMNS, ContactRow, contactInWorkspace, messagesOf, toContact, toMessage } from '../queries/inbox-queries';
import { eraseContacts } from './erase-contacts';
import { eraseFromStreams } from './stream-erasure';

/** The right of erasure and the right of access (docs/security.md#erasure): what the gateway's admin API asks of the contacts service. */
@Controller()
export class ContactErasure {
  constructor(
    private readonly db: Pool,
    private readonly publisher: EventPublisher,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Erases the contact in one transaction, ends its live streams on every gateway (contact.erased),
   * then removes its events from the streams' retention; answers once all of it is done.
   */
  @OnRequest(EraseContact)
  async erase(request: EraseContactRequest): Promise<ContactsErased | null> {
    const erasure = await withRetries(() => transaction(this.db, (tx) => eraseContacts(tx, request)));
    if (!erasure) return null;
    await this.publisher.publish(
      ContactErased,
      {
        workspace_id: erasure.workspaceId,
        user_digest: erasure.userId === null ? undefined : erasedUserDigest(erasure.workspaceId, erasure.userId),
        visitor_ids: erasure.visitorIds,
      },
      { id: newId(), correlationId: newId() },
    );
    const streamEvents = await eraseFromStreams(this.nc, erasure);
    const erased = {
      contacts: erasure.contacts,
      conversations: erasure.conversations,
      messages: erasure.messages,
      timeline_events: erasure.timelineEvents,
      stream_events: streamEvents,
    };
    // Counts only: the log outlives the erasure, so it names nothing that was erased.
    this.logger.info({ workspace_id: erasure.workspaceId, ...erased }, 'contact erased');
    return { user_id: erasure.userId, erased };
  }

  /** The contacts a widget's erasure erases: each with a conversation on it, a folded one as the contact it was folded into. */
  @OnRequest(WidgetContacts)
  async widgetContacts(request: WidgetContactsRequest): Promise<{ contact_ids: string[] }> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `SELECT DISTINCT COALESCE(c.merged_into_id, c.id) AS id FROM conversations v JOIN contacts c ON c.id = v.contact_id
       WHERE v.widget_id = $1 AND c.workspace_id = $2`,
      [request.widget_id, request.workspace_id],
    );
    return { contact_ids: rows.map((row) => row.id) };
  }

  /** Everything held about a contact and the anonymous contacts folded into it. */
  @OnRequest(ExportContact)
  async export(request: GetContactRequest): Promise<ContactHeld | null> {
    const contact = await contactInWorkspace(this.db, request);
    if (!contact) return null;
    const merged = await queryRows<ContactRow>(this.db, `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE merged_into_id = $1 ORDER BY created_at, id`, [
      contact.id,
    ]);
    const contactIds = [contact.id, ...merged.map((row) => row.id)];
    const conversations = await queryRows<{ id: string; widget_id: string; visitor_id: string; created_at: Date }>(
      this.db,
      `SELECT id, widget_id, visitor_id, created_at FROM conversations WHERE contact_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [contactIds],
    );
    const messages = await messagesOf(
      this.db,
      conversations.map((conversation) => conversation.id),
    );
    const timeline = await queryRows<{
      message_id: string;
      visitor_id: string;
      received_at: Date;
      user_id: string | null;
      email: string | null;
      name: string | null;
    }>(
      this.db,
      `SELECT message_id, visitor_id, received_at, user_id, email, name FROM visitor_events WHERE contact_id = ANY($1::uuid[]) ORDER BY received_at, message_id`,
      [contactIds],
    );
    const visitors = await queryRows<{ id: string; widget_id: string; created_at: Date; logged_out_at: Date | null }>(
      this.db,
      `SELECT id, widget_id, created_at, logged_out_at FROM visitors WHERE id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [[...new Set([...conversations.map((c) => c.visitor_id), ...timeline.map((t) => t.visitor_id)])]],
    );
    return {
      contact: toContact(contact),
      merged_contacts: merged.map(toContact),
      visitors: visitors.map((visitor) => ({
        id: visitor.id,
        widget_id: visitor.widget_id,
        created_at: visitor.created_at.toISOString(),
        logged_out_at: visitor.logged_out_at?.toISOString() ?? null,
      })),
      conversations: conversations.map((conversation) => ({
        id: conversation.id,
        widget_id: conversation.widget_id,
        visitor_id: conversation.visitor_id,
        created_at: conversation.created_at.toISOString(),
        messages: messages.filter((message) => message.conversation_id === conversation.id).map(toMessage),
      })),
      timeline: timeline.map((event) => ({ ...event, received_at: event.received_at.toISOString() })),
    };
  }
}
