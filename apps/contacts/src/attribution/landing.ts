import { queryRows, Sql } from '@inviaro/persistence';
import { storeMessagesFrom, ThreadRow, Threads, threadsFrom, threadsOf } from './threads';
import { recordEventsFrom, TimelineEntry, timelineAttribute } from './timeline';

/** An event's timeline row, and the contact whose thread with the visitor holds its message. */
export interface Landing extends TimelineEntry {
  /** The run's contact, or the verified one that run was retired into. */
  homeContactId: string;
}

/**
 * Lands events, in one statement for a whole batch: records them in the timeline (an id recorded
 * before is left as it is), finds or makes the threads of (home contact, visitor), stores the
 * messages there once per message id. Returns the threads.
 */
export async function land(sql: Sql, landings: Landing[]): Promise<Threads> {
  if (landings.length === 0) return threadsFrom([]);
  const rows = await queryRows<ThreadRow>(
    sql,
    `WITH t AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[])
                AS t(message_id, visitor_id, widget_id, received_at, user_id, contact_id, home_contact_id, email, name, kind, text)),
     recorded AS (${recordEventsFrom('t')}),
     wanted AS (SELECT DISTINCT ON (home_contact_id, visitor_id) home_contact_id AS contact_id, visitor_id, widget_id FROM t ORDER BY home_contact_id, visitor_id),
     ${threadsOf('wanted')},
     stored AS (${storeMessagesFrom(
       `(SELECT t.message_id AS id, h.id AS conversation_id, t.text, t.received_at AS created_at
         FROM t JOIN threads h ON h.contact_id = t.home_contact_id AND h.visitor_id = t.visitor_id WHERE t.kind = 'message') AS m`,
     )})
     SELECT id, contact_id, visitor_id FROM threads`,
    [
      landings.map((l) => l.event.message_id),
      landings.map((l) => l.event.visitor_id),
      landings.map((l) => l.event.widget_id),
      landings.map((l) => l.event.received_at),
      landings.map((l) => l.userId),
      landings.map((l) => l.contactId),
      landings.map((l) => l.homeContactId),
      landings.map((l) => timelineAttribute(l, 'email')),
      landings.map((l) => timelineAttribute(l, 'name')),
      landings.map((l) => l.event.kind),
      landings.map((l) => l.event.text ?? null),
    ],
  );
  return threadsFrom(rows);
}
