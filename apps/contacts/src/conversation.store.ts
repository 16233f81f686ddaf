import { VisitorEventFields } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface StoredMessage {
  contactId: string;
  conversationId: string;
  createdAt: Date;
}

/** Writes a visitor's messages into their conversations; every write is idempotent on the message id. */
@Injectable()
export class ConversationStore {
  constructor(private readonly db: DataSource) {}

  /** Stores an unverified event's message under the visitor's live anonymous contact. */
  async storeAnonymous(event: VisitorEventFields): Promise<StoredMessage> {
    return this.db.transaction(async (tx) => {
      const [contact] = await tx.query(
        `INSERT INTO contacts (workspace_id, visitor_id, is_verified, email, name)
         VALUES ($1, $2, false, $3, $4)
         ON CONFLICT (visitor_id) WHERE visitor_id IS NOT NULL AND merged_into_id IS NULL
         DO UPDATE SET last_seen_at = now(), email = COALESCE(EXCLUDED.email, contacts.email), name = COALESCE(EXCLUDED.name, contacts.name)
         RETURNING id`,
        [event.workspace_id, event.visitor_id, event.email ?? null, event.name ?? null],
      );
      const conversationId = await this.conversationOf(tx, contact.id, event);
      const createdAt = new Date(event.received_at);
      if (event.kind === 'message') {
        await tx.query(
          `INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES ($1, $2, 'visitor', $3, $4) ON CONFLICT (id) DO NOTHING`,
          [event.message_id, conversationId, event.text, createdAt],
        );
      }
      return { contactId: contact.id, conversationId, createdAt };
    });
  }

  /** The conversation this visitor holds with this contact, opened on first use. */
  private async conversationOf(tx: EntityManager, contactId: string, event: VisitorEventFields): Promise<string> {
    const [conversation] = await tx.query(
      `INSERT INTO conversations (contact_id, widget_id, visitor_id) VALUES ($1, $2, $3)
       ON CONFLICT (contact_id, visitor_id) DO UPDATE SET contact_id = EXCLUDED.contact_id
       RETURNING id`,
      [contactId, event.widget_id, event.visitor_id],
    );
    return conversation.id;
  }
}
