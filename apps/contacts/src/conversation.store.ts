import { ContactVerifiedData, VisitorEventFields } from '@inviaro/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface StoredEvent {
  contactId: string;
  conversationId: string;
  /** The verified user the contact belongs to; undefined for an anonymous contact. */
  userId?: string;
  createdAt: Date;
  /** The anonymous contact this event folded into the verified one, if it did. */
  foldedContactId?: string;
}

/**
 * Attribution and fold (CONTRACT.md §1), one transaction per event. Every write is idempotent on
 * the message id, and each event first locks its visitor's row, so that one visitor's events are
 * attributed one at a time whichever instance handles them, while different visitors go in parallel.
 */
@Injectable()
export class ConversationStore {
  constructor(private readonly db: DataSource) {}

  /**
   * An unverified event goes to the visitor's live anonymous contact; but one sent before that
   * visitor's anonymous contact was folded (and delivered after) goes where in-order delivery would
   * have put it: into the verified contact it was folded into. So any delivery order ends alike.
   */
  async storeAnonymous(event: VisitorEventFields): Promise<StoredEvent> {
    return this.db.transaction(async (tx) => {
      await this.lockVisitor(tx, event.visitor_id);
      const [foldedLater] = await tx.query(
        `SELECT u.id, u.user_id FROM contacts a JOIN contacts u ON u.id = a.merged_into_id
         WHERE a.visitor_id = $1 AND a.merged_at >= $2 ORDER BY a.merged_at LIMIT 1`,
        [event.visitor_id, event.received_at],
      );
      const contact = foldedLater ?? (await this.liveAnonymousContact(tx, event));
      return this.storeIn(tx, contact.id, foldedLater?.user_id ?? undefined, event);
    });
  }

  /**
   * A verified event goes to the contact (workspace, user_id), created on first sight. The
   * visitor's live anonymous contact, if any, is folded into it: its conversations move over and it
   * is kept, retired, pointing at the verified contact.
   */
  async storeVerified(event: ContactVerifiedData): Promise<StoredEvent> {
    return this.db.transaction(async (tx) => {
      await this.lockVisitor(tx, event.visitor_id);
      const [contact] = await tx.query(
        `INSERT INTO contacts (workspace_id, user_id, is_verified, email, name) VALUES ($1, $2, true, $3, $4)
         ON CONFLICT (workspace_id, user_id) WHERE user_id IS NOT NULL
         DO UPDATE SET last_seen_at = now(), email = COALESCE(EXCLUDED.email, contacts.email), name = COALESCE(EXCLUDED.name, contacts.name)
         RETURNING id`,
        [event.workspace_id, event.user_id, event.email ?? null, event.name ?? null],
      );
      const foldedContactId = await this.fold(tx, event.visitor_id, contact.id);
      return { ...(await this.storeIn(tx, contact.id, event.user_id, event)), foldedContactId };
    });
  }

  private async fold(tx: EntityManager, visitorId: string, intoContactId: string): Promise<string | undefined> {
    const [anonymous] = await tx.query(`SELECT id FROM contacts WHERE visitor_id = $1 AND merged_into_id IS NULL`, [visitorId]);
    if (!anonymous) return undefined;
    // Where the verified contact already holds a conversation with this visitor, the messages join it.
    await tx.query(
      `WITH target AS (SELECT id FROM conversations WHERE contact_id = $2 AND visitor_id = $3)
       UPDATE messages SET conversation_id = (SELECT id FROM target)
       WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = $1) AND EXISTS (SELECT 1 FROM target)`,
      [anonymous.id, intoContactId, visitorId],
    );
    await tx.query(
      `DELETE FROM conversations c WHERE c.contact_id = $1 AND EXISTS (SELECT 1 FROM conversations t WHERE t.contact_id = $2 AND t.visitor_id = c.visitor_id)`,
      [anonymous.id, intoContactId],
    );
    await tx.query(`UPDATE conversations SET contact_id = $2 WHERE contact_id = $1`, [anonymous.id, intoContactId]);
    await tx.query(`UPDATE contacts SET merged_into_id = $2, merged_at = now() WHERE id = $1`, [anonymous.id, intoContactId]);
    return anonymous.id;
  }

  private async liveAnonymousContact(tx: EntityManager, event: VisitorEventFields): Promise<{ id: string }> {
    const [contact] = await tx.query(
      `INSERT INTO contacts (workspace_id, visitor_id, is_verified, email, name)
       VALUES ($1, $2, false, $3, $4)
       ON CONFLICT (visitor_id) WHERE visitor_id IS NOT NULL AND merged_into_id IS NULL
       DO UPDATE SET last_seen_at = now(), email = COALESCE(EXCLUDED.email, contacts.email), name = COALESCE(EXCLUDED.name, contacts.name)
       RETURNING id`,
      [event.workspace_id, event.visitor_id, event.email ?? null, event.name ?? null],
    );
    return contact;
  }

  /** The event's message (if it is one) in the conversation this visitor holds with the contact. */
  private async storeIn(tx: EntityManager, contactId: string, userId: string | undefined, event: VisitorEventFields): Promise<StoredEvent> {
    const [conversation] = await tx.query(
      `INSERT INTO conversations (contact_id, widget_id, visitor_id) VALUES ($1, $2, $3)
       ON CONFLICT (contact_id, visitor_id) DO UPDATE SET contact_id = EXCLUDED.contact_id
       RETURNING id`,
      [contactId, event.widget_id, event.visitor_id],
    );
    const createdAt = new Date(event.received_at);
    if (event.kind === 'message') {
      await tx.query(`INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES ($1, $2, 'visitor', $3, $4) ON CONFLICT (id) DO NOTHING`, [
        event.message_id,
        conversation.id,
        event.text,
        createdAt,
      ]);
    }
    return { contactId, conversationId: conversation.id, userId, createdAt };
  }

  private async lockVisitor(tx: EntityManager, visitorId: string): Promise<void> {
    await tx.query(`SELECT 1 FROM visitors WHERE id = $1 FOR UPDATE`, [visitorId]);
  }
}
