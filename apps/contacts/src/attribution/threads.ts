import { VisitorEventFields } from '@inviaro/contracts';
import { execute, firstRow, queryRows, Sql } from '@inviaro/persistence';
import { runClosedBy } from './timeline';

/**
 * Threads (docs/data-model.md, `conversations`): one per (contact, visitor). A fold moves a thread
 * to the verified contact, or its messages into the thread that contact already has with the device.
 */

/** A thread wanted: the one of (contact, the event's visitor). */
export interface ThreadOf {
  contactId: string;
  event: VisitorEventFields;
}

const threadKey = (contactId: string, visitorId: string) => `${contactId}/${visitorId}`;

/** Thread ids by (contact, visitor), as conversationsOf found or made them. */
export class Threads {
  constructor(private readonly ids: Map<string, string>) {}

  of(contactId: string, visitorId: string): string {
    const id = this.ids.get(threadKey(contactId, visitorId));
    if (id === undefined) throw new Error(`attribution: no thread was found or made for contact ${contactId} and visitor ${visitorId}`);
    return id;
  }
}

/** Thread rows as statements return them. */
export type ThreadRow = { id: string; contact_id: string; visitor_id: string };

/** Thread ids by (contact, visitor) from the rows a statement returned. */
export const threadsFrom = (rows: ThreadRow[]) => new Threads(new Map(rows.map((row) => [threadKey(row.contact_id, row.visitor_id), row.id])));

/**
 * The common table expressions that find or make the thread of each row (contact_id, visitor_id,
 * widget_id; distinct by the first two) of `wanted`, ending in `threads (id, contact_id, visitor_id)`.
 * Only the missing ones are inserted (a found thread is not rewritten); the caller holds the
 * visitors' locks, so no one else creates them meanwhile, and the upsert meets one that did. Each is
 * found by key (LATERAL ... LIMIT 1), never by hashing the table: generic-plans.spec.ts.
 */
export const threadsOf = (wanted: string) =>
  `found AS (SELECT c.id, c.contact_id, c.visitor_id FROM ${wanted} w CROSS JOIN LATERAL (
     SELECT id, contact_id, visitor_id FROM conversations WHERE contact_id = w.contact_id AND visitor_id = w.visitor_id LIMIT 1) c),
   created AS (
     INSERT INTO conversations (contact_id, widget_id, visitor_id)
     SELECT w.contact_id, w.widget_id, w.visitor_id FROM ${wanted} w
     WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.contact_id = w.contact_id AND f.visitor_id = w.visitor_id)
     ORDER BY w.contact_id, w.visitor_id
     ON CONFLICT (contact_id, visitor_id) DO UPDATE SET widget_id = conversations.widget_id RETURNING id, contact_id, visitor_id),
   threads AS (SELECT id, contact_id, visitor_id FROM found UNION ALL SELECT id, contact_id, visitor_id FROM created)`;

/** The threads of (contact, visitor), created on first sight, in one statement for a whole batch. */
export async function conversationsOf(sql: Sql, wanted: ThreadOf[]): Promise<Threads> {
  const pairs = new Map<string, ThreadOf>();
  for (const want of wanted) pairs.set(threadKey(want.contactId, want.event.visitor_id), want);
  if (pairs.size === 0) return new Threads(new Map());
  const rows = await queryRows<ThreadRow>(
    sql,
    `WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS w(contact_id, visitor_id, widget_id)),
     ${threadsOf('wanted')}
     SELECT id, contact_id, visitor_id FROM threads`,
    [[...pairs.values()].map((p) => p.contactId), [...pairs.values()].map((p) => p.event.visitor_id), [...pairs.values()].map((p) => p.event.widget_id)],
  );
  return threadsFrom(rows);
}

/** The thread of (contact, visitor), created on first sight. */
export async function conversationOf(sql: Sql, contactId: string, event: VisitorEventFields): Promise<string> {
  return (await conversationsOf(sql, [{ contactId, event }])).of(contactId, event.visitor_id);
}

/** The statement that stores the visitor messages of `source` (a relation named m: id, conversation_id, text, created_at), once per message id. */
export const storeMessagesFrom = (source: string) =>
  `INSERT INTO messages (id, conversation_id, author, text, created_at) SELECT m.id, m.conversation_id, 'visitor', m.text, m.created_at FROM ${source}
   ON CONFLICT (id) DO NOTHING`;

/** A message event's message, once per message id (an identify stores none). */
export async function storeMessage(sql: Sql, conversationId: string, event: VisitorEventFields): Promise<void> {
  if (event.kind !== 'message') return;
  await execute(sql, storeMessagesFrom('(VALUES ($1::uuid, $2::uuid, $3::text, $4::timestamptz)) AS m(id, conversation_id, text, created_at)'), [
    event.message_id,
    conversationId,
    event.text,
    event.received_at,
  ]);
}

/** The live anonymous contact's thread with its visitor goes to the verified contact: as it is, or into the thread already there. */
export async function moveConversation(sql: Sql, fromContactId: string, intoContactId: string, visitorId: string): Promise<void> {
  const target = await firstRow<{ id: string }>(sql, `SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2`, [intoContactId, visitorId]);
  if (!target) {
    await execute(sql, `UPDATE conversations SET contact_id = $2 WHERE contact_id = $1`, [fromContactId, intoContactId]);
    return;
  }
  await execute(sql, `UPDATE messages SET conversation_id = $2 WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = $1)`, [
    fromContactId,
    target.id,
  ]);
  await execute(sql, `DELETE FROM conversations WHERE contact_id = $1`, [fromContactId]);
}

/**
 * Moves the messages of a split run between two contacts' threads with the visitor: those of the run
 * `event` closes that the timeline gives to contact `runContactId`. Operator replies in a live
 * anonymous thread go along when they were written before `event` was received.
 */
export async function moveMessages(
  sql: Sql,
  fromContactId: string,
  intoContactId: string,
  event: VisitorEventFields,
  runContactId: string,
  withReplies: boolean,
): Promise<void> {
  const target = await conversationOf(sql, intoContactId, event);
  await execute(
    sql,
    `UPDATE messages SET conversation_id = $5
     WHERE conversation_id = (SELECT id FROM conversations WHERE contact_id = $4 AND visitor_id = $1)
       AND (id IN (${runClosedBy('a.message_id', 'AND a.contact_id = $6')}) OR ($7 AND author = 'operator' AND created_at < $2))`,
    [event.visitor_id, event.received_at, event.message_id, fromContactId, target, runContactId, withReplies],
  );
}
