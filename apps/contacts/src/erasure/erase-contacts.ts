import { EraseContactRequest } from '@inviaro/contracts';
import { firstRow, queryChange, queryRows, Sql } from '@inviaro/persistence';
import { recordTombstones } from './tombstones';

/** What one erasure took out of the database, and whose it was. */
export interface DatabaseErasure {
  workspaceId: string;
  /** The erased contact's user id; null for an anonymous contact. */
  userId: string | null;
  /** The devices whose conversations or timeline went: their events in the streams go too, and their streams end. */
  visitorIds: string[];
  /** Every message id that went (the visitors' events and the operators' replies): their copies in the streams go too. */
  messageIds: string[];
  contacts: number;
  conversations: number;
  messages: number;
  timelineEvents: number;
}

/**
 * Erases, in the caller's transaction, a contact, the anonymous contacts folded into it, their
 * conversations, messages and timeline rows, and records tombstones for the user and its devices
 * (tombstones.ts). `undefined` when there is no such contact (by user id: nothing to erase, but the
 * tombstone is recorded all the same, so that the user's events still in flight are dropped).
 *
 * Locks as attribution does, so that neither misses what the other commits: the contacts first (an
 * attribution of the user waits on its contact row), then their devices in id order (an attribution of
 * one of them has finished, or waits for this erasure and then finds the tombstone). A deadlock with an
 * attribution that holds a device and waits on a contact row is retried by the caller.
 */
export async function eraseContacts(sql: Sql, request: EraseContactRequest): Promise<DatabaseErasure | undefined> {
  const target = await firstRow<{ id: string; user_id: string | null }>(
    sql,
    request.contact_id !== undefined
      ? `SELECT id, user_id FROM contacts WHERE workspace_id = $1 AND id = $2 FOR UPDATE`
      : `SELECT id, user_id FROM contacts WHERE workspace_id = $1 AND user_id = $2 FOR UPDATE`,
    [request.workspace_id, request.contact_id ?? request.user_id],
  );
  const userId = target ? target.user_id : (request.user_id ?? null);
  if (!target && userId === null) return undefined;
  const contactIds = target
    ? (await queryRows<{ id: string }>(sql, `SELECT id FROM contacts WHERE id = $1 OR merged_into_id = $1 ORDER BY id FOR UPDATE`, [target.id])).map(
        (row) => row.id,
      )
    : [];
  const devices = await queryRows<{ id: string }>(
    sql,
    `SELECT id FROM visitors WHERE id IN (
       SELECT visitor_id FROM conversations WHERE contact_id = ANY($1::uuid[])
       UNION SELECT visitor_id FROM visitor_events WHERE contact_id = ANY($1::uuid[])
       UNION SELECT visitor_id FROM contacts WHERE id = ANY($1::uuid[]) AND visitor_id IS NOT NULL)
     ORDER BY id FOR UPDATE`,
    [contactIds],
  );
  const messages = await queryChange<{ id: string }>(
    sql,
    `DELETE FROM messages WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = ANY($1::uuid[])) RETURNING id`,
    [contactIds],
  );
  const conversations = await queryChange(sql, `DELETE FROM conversations WHERE contact_id = ANY($1::uuid[])`, [contactIds]);
  const timeline = await queryChange<{ message_id: string }>(sql, `DELETE FROM visitor_events WHERE contact_id = ANY($1::uuid[]) RETURNING message_id`, [
    contactIds,
  ]);
  const contacts = await queryChange(sql, `DELETE FROM contacts WHERE id = ANY($1::uuid[])`, [contactIds]);
  const visitorIds = devices.map((row) => row.id);
  await recordTombstones(sql, request.workspace_id, userId, visitorIds);
  return {
    workspaceId: request.workspace_id,
    userId,
    visitorIds,
    messageIds: [...new Set([...messages.rows.map((row) => row.id), ...timeline.rows.map((row) => row.message_id)])],
    contacts: contacts.count,
    conversations: conversations.count,
    messages: messages.count,
    timelineEvents: timeline.count,
  };
}
