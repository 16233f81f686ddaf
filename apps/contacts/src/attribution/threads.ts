import { VisitorEventFields } from '@inviaro/contracts';
import { Sql } from './sql';

/**
 * Threads (docs/data-model.md, `conversations`): one per (contact, visitor). A fold moves a thread
 * to the verified contact, or its messages into the thread that contact already has with the device.
 */

/** The thread of (contact, visitor), created on first sight. The caller holds the visitor's lock, so no one else creates it meanwhile. */
export async function conversationOf(sql: Sql, contactId: string, event: VisitorEventFields): Promise<string> {
  const found = await sql.first<{ id: string }>(`SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2`, [contactId, event.visitor_id]);
  if (found) return found.id;
  const created = await sql.one<{ id: string }>(
    `INSERT INTO conversations (contact_id, widget_id, visitor_id) VALUES ($1, $2, $3)
     ON CONFLICT (contact_id, visitor_id) DO UPDATE SET widget_id = conversations.widget_id RETURNING id`,
    [contactId, event.widget_id, event.visitor_id],
  );
  return created.id;
}

/** A message event's message, once per message id (an identify stores none). */
export async function storeMessage(sql: Sql, conversationId: string, event: VisitorEventFields): Promise<void> {
  if (event.kind !== 'message') return;
  await sql.rows(`INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES ($1, $2, 'visitor', $3, $4) ON CONFLICT (id) DO NOTHING`, [
    event.message_id,
    conversationId,
    event.text,
    event.received_at,
  ]);
}

/** The live anonymous contact's thread with its visitor goes to the verified contact: as it is, or into the thread already there. */
export async function moveConversation(sql: Sql, fromContactId: string, intoContactId: string, visitorId: string): Promise<void> {
  const target = await sql.first<{ id: string }>(`SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2`, [intoContactId, visitorId]);
  if (!target) {
    await sql.rows(`UPDATE conversations SET contact_id = $2 WHERE contact_id = $1`, [fromContactId, intoContactId]);
    return;
  }
  await sql.rows(`UPDATE messages SET conversation_id = $2 WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = $1)`, [fromContactId, target.id]);
  await sql.rows(`DELETE FROM conversations WHERE contact_id = $1`, [fromContactId]);
}

/**
 * Moves the messages of a split run between two contacts' threads with the visitor. Operator
 * replies in a live anonymous thread go along when they were written before `event` was received.
 */
export async function moveMessages(sql: Sql, fromContactId: string, intoContactId: string, event: VisitorEventFields, messageIds: string[], withReplies: boolean): Promise<void> {
  const target = await conversationOf(sql, intoContactId, event);
  await sql.rows(
    `UPDATE messages SET conversation_id = $3
     WHERE conversation_id = (SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2)
       AND (id = ANY($4::uuid[]) OR ($5 AND author = 'operator' AND created_at < $6))`,
    [fromContactId, event.visitor_id, target, messageIds, withReplies, event.received_at],
  );
}
