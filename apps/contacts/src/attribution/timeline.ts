import { VisitorEventFields } from '@inviaro/contracts';
import { Sql } from './sql';

/** An event for the visitor's timeline (`visitor_events`): the contact of its run, and its user if verified. */
export interface TimelineEntry {
  event: VisitorEventFields;
  contactId: string;
  /** The verified user; null for an anonymous event. */
  userId: string | null;
}

/**
 * Records events in their visitors' timelines, in one statement for a whole batch. An anonymous
 * event keeps its attributes there (a split run recomputes its contacts' from them); a verified one
 * keeps none. Returns the ids recorded now: an id recorded before is left as it is.
 */
export async function recordEvents(sql: Sql, entries: TimelineEntry[]): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const anonymous = (entry: TimelineEntry) => entry.userId === null;
  const recorded = await sql.rows<{ message_id: string }>(
    `INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id, email, name)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[], $6::text[], $7::text[])
     ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
    [
      entries.map((entry) => entry.event.message_id),
      entries.map((entry) => entry.event.visitor_id),
      entries.map((entry) => entry.event.received_at),
      entries.map((entry) => entry.userId),
      entries.map((entry) => entry.contactId),
      entries.map((entry) => (anonymous(entry) ? (entry.event.email ?? null) : null)),
      entries.map((entry) => (anonymous(entry) ? (entry.event.name ?? null) : null)),
    ],
  );
  return new Set(recorded.map((row) => row.message_id));
}
