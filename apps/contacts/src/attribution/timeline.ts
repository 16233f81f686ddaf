import { VisitorEventFields } from '@inviaro/contracts';
import { queryRows, Sql } from '@inviaro/persistence';

/** An event for the visitor's timeline (`visitor_events`): the contact of its run, and its user if verified. */
export interface TimelineEntry {
  event: VisitorEventFields;
  contactId: string;
  /** The verified user; null for an anonymous event. */
  userId: string | null;
}

/**
 * The statement that records the events of `source` (a relation named t: message_id, visitor_id,
 * received_at, user_id, contact_id, email, name) in their visitors' timelines; an id recorded before
 * is left as it is.
 */
export const recordEventsFrom = (source: string) =>
  `INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id, email, name)
   SELECT t.message_id, t.visitor_id, t.received_at, t.user_id, t.contact_id, t.email, t.name FROM ${source}
   ON CONFLICT (message_id) DO NOTHING`;

/** An anonymous event keeps its attributes in the timeline (a split run recomputes its contacts' from them); a verified one keeps none. */
export const timelineAttribute = (entry: TimelineEntry, attribute: 'email' | 'name'): string | null =>
  entry.userId === null ? (entry.event[attribute] ?? null) : null;

/** Records events in their visitors' timelines, in one statement for a whole batch. Returns the ids recorded now. */
export async function recordEvents(sql: Sql, entries: TimelineEntry[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const recorded = await queryRows<{ message_id: string }>(
    sql,
    `${recordEventsFrom('unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[], $6::text[], $7::text[]) AS t(message_id, visitor_id, received_at, user_id, contact_id, email, name)')}
     RETURNING message_id`,
    [
      entries.map((entry) => entry.event.message_id),
      entries.map((entry) => entry.event.visitor_id),
      entries.map((entry) => entry.event.received_at),
      entries.map((entry) => entry.userId),
      entries.map((entry) => entry.contactId),
      entries.map((entry) => timelineAttribute(entry, 'email')),
      entries.map((entry) => timelineAttribute(entry, 'name')),
    ],
  );
  return new Set(recorded.map((row) => row.message_id));
}

/**
 * A statement selecting `columns` of the run a verified event closes, from `visitor_events a` ($1, $2,
 * $3: the event's visitor, received_at and message_id; `more`: further conditions): the visitor's
 * anonymous events received before it and after its previous verified event. A run is moved by
 * statements built on this, so that none of its ids, however many, travel to the service.
 */
export const runClosedBy = (columns: string, more = '') =>
  `WITH previous AS (
     SELECT received_at, message_id FROM visitor_events
     WHERE visitor_id = $1 AND user_id IS NOT NULL AND (received_at, message_id) < ($2, $3)
     ORDER BY received_at DESC, message_id DESC LIMIT 1)
   SELECT ${columns} FROM visitor_events a
   WHERE a.visitor_id = $1 AND a.user_id IS NULL AND (a.received_at, a.message_id) < ($2, $3)
     AND NOT EXISTS (SELECT 1 FROM previous p WHERE (a.received_at, a.message_id) < (p.received_at, p.message_id)) ${more}`;
