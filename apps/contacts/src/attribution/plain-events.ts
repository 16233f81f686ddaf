import { ContactAnonymousData, VisitorEventFields } from '@inviaro/contracts';
import { queryRows, Sql } from '@inviaro/persistence';
import { AttributionInput, byReceived, byVisitor } from './attribution-input';
import { liveContactOf, upsertLiveContacts, VerifiedContacts, verifiedContactOf } from './attributes';
import { Standing } from './outcome';
import { land, Landing } from './landing';

/**
 * The common case, set-based (docs/data-model.md, "How it is applied"). An event is *plain* when
 * applying the rule to it touches no run but the one it joins:
 *
 * - a verified event whose visitor's latest event received before it is not anonymous: the run it
 *   closes is empty, so it folds nothing and only lands in its user's contact;
 * - an anonymous event with no verified event received after it: it joins the live contact.
 *
 * When every event of a visitor in the batch is plain and new, the per-event steps would only do
 * that, one event after another: upsert the live contact, record the events, find or make the
 * threads, store the messages. Here that is two statements for all such visitors of the
 * batch (the live contacts, then landing.ts). A visitor with any other event — seen before, twice in the batch, closing a run, joining
 * a closed one — takes the per-event steps for all its events, in received order. Visitors do not
 * share runs or threads, so the two groups can go in either order.
 */

/** What the timeline holds around each event of the batch: enough to tell whether it is plain. */
interface Neighbours {
  message_id: string;
  seen: boolean;
  /** For a verified event: the latest recorded event received before it is anonymous (it would close a run). */
  follows_anonymous: boolean;
  /** For an anonymous event: a recorded verified event was received after it (it joins a closed run). */
  verified_after: boolean;
}

/** The inputs (of known, locked visitors) whose visitors' events are all plain and new, and the others. */
export async function partitionPlain(sql: Sql, inputs: AttributionInput[]): Promise<{ plain: AttributionInput[]; others: AttributionInput[] }> {
  if (inputs.length === 0) return { plain: [], others: [] };
  // Each event's rows are looked up by key (LATERAL ... LIMIT 1): an EXISTS on the message id could become a hash of
  // the whole timeline in a generic plan made while it was small (generic-plans.spec.ts).
  const neighbours = await queryRows<Neighbours>(
    sql,
    `SELECT b.message_id, s.message_id IS NOT NULL AS seen,
       CASE WHEN b.verified THEN a.message_id IS NOT NULL AND (v.message_id IS NULL OR (a.received_at, a.message_id) > (v.received_at, v.message_id))
         ELSE false END AS follows_anonymous,
       CASE WHEN b.verified THEN false
         ELSE EXISTS (SELECT 1 FROM visitor_events n WHERE n.visitor_id = b.visitor_id AND n.user_id IS NOT NULL
                      AND (n.received_at, n.message_id) > (b.received_at, b.message_id)) END AS verified_after
     FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::boolean[]) AS b(message_id, visitor_id, received_at, verified)
     LEFT JOIN LATERAL (SELECT message_id FROM visitor_events WHERE message_id = b.message_id LIMIT 1) s ON true
     LEFT JOIN LATERAL (SELECT received_at, message_id FROM visitor_events WHERE b.verified AND visitor_id = b.visitor_id AND user_id IS NULL
                          AND (received_at, message_id) < (b.received_at, b.message_id) ORDER BY received_at DESC, message_id DESC LIMIT 1) a ON true
     LEFT JOIN LATERAL (SELECT received_at, message_id FROM visitor_events WHERE b.verified AND visitor_id = b.visitor_id AND user_id IS NOT NULL
                          AND (received_at, message_id) < (b.received_at, b.message_id) ORDER BY received_at DESC, message_id DESC LIMIT 1) v ON true`,
    [
      inputs.map((input) => input.event.message_id),
      inputs.map((input) => input.event.visitor_id),
      inputs.map((input) => input.event.received_at),
      inputs.map((input) => input.kind === 'verified'),
    ],
  );
  const around = new Map(neighbours.map((row) => [row.message_id, row]));

  const plain: AttributionInput[] = [];
  const others: AttributionInput[] = [];
  for (const events of byVisitor(inputs).values()) (allPlain(events, around) ? plain : others).push(...events);
  return { plain, others };
}

/** Whether one visitor's events of the batch, taken in received order, are each plain and new. */
function allPlain(events: AttributionInput[], around: Map<string, Neighbours>): boolean {
  const ids = new Set<string>();
  let anonymousBefore = false;
  for (const input of [...events].sort((a, b) => byReceived(a.event, b.event))) {
    const row = around.get(input.event.message_id);
    if (!row || row.seen || ids.has(input.event.message_id)) return false;
    ids.add(input.event.message_id);
    if (input.kind === 'verified') {
      // An anonymous event before it, recorded or in this batch, is a run it would close.
      if (row.follows_anonymous || anonymousBefore) return false;
    } else {
      if (row.verified_after) return false;
      anonymousBefore = true;
    }
  }
  return true;
}

/** A plain event lands in its run's contact, and its message in that contact's thread. */
const landing = (event: VisitorEventFields, contactId: string, userId: string | null): Landing => ({ event, contactId, homeContactId: contactId, userId });

/**
 * Attributes plain events (partitionPlain) in two statements for the lot: the live contacts, then
 * the timeline, the threads and the messages (landing.ts). Returns where each stands, by message id, as the per-event
 * steps would have left it: a verified event in its user's contact, an anonymous one in the live contact.
 */
export async function attributePlain(sql: Sql, inputs: AttributionInput[], verifiedContacts: VerifiedContacts): Promise<Map<string, Standing>> {
  if (inputs.length === 0) return new Map();
  const live = await upsertLiveContacts(
    sql,
    inputs.flatMap((input): ContactAnonymousData[] => (input.kind === 'anonymous' ? [input.event] : [])),
  );
  const landed = inputs.map((input) =>
    input.kind === 'verified'
      ? landing(input.event, verifiedContactOf(verifiedContacts, input.event), input.event.user_id)
      : landing(input.event, liveContactOf(live, input.event), null),
  );
  const threads = await land(sql, landed);
  const standings = landed.map(({ event, contactId, userId }) => {
    const conversationId = threads.of(contactId, event.visitor_id);
    return { event, standing: { runContactId: contactId, retired: false, contactId, userId, conversationId, closedContactId: null } };
  });
  return new Map(standings.map(({ event, standing }) => [event.message_id, standing]));
}
