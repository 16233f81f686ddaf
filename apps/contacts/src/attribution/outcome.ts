import { onlyRow, Sql } from '@inviaro/persistence';

/** An anonymous contact retired into a verified one. */
export interface Fold {
  fromContactId: string;
  intoContactId: string;
  userId: string;
}

/** Where an event landed, as it stands after the commit. */
export interface Attribution {
  /** The contact the event counts for: its user's, or the visitor's live anonymous one. */
  contactId: string;
  /** The verified user; absent for the live anonymous contact. */
  userId?: string;
  /** The conversation this visitor holds with that contact (where its message is). */
  conversationId: string;
  /** Folds this event stands for, to announce (their ids are deterministic, so announcing again is harmless). */
  folds: Fold[];
}

/** What the timeline says of one recorded event: the facts an Attribution is made of. */
export interface Standing {
  /** The contact the event's run has in `visitor_events` (for a verified event, its user's contact). */
  runContactId: string;
  /** That contact was retired into a verified one. */
  retired: boolean;
  /** The contact the event counts for (the run's, or the one it was retired into). */
  contactId: string;
  userId: string | null;
  conversationId: string;
  /** For a verified event: the anonymous contact of the run it closed, if any. */
  closedContactId: string | null;
}

/**
 * The one place an event's result is built. A verified event stands for the fold of the run it
 * closed; an anonymous event in a retired run, for that run's fold; the live anonymous contact, for none.
 */
export function attributionOf(standing: Standing): Attribution {
  const { contactId, conversationId } = standing;
  const userId = standing.userId ?? undefined;
  if (userId === undefined) return { contactId, conversationId, folds: [] };
  const foldedFrom = [standing.retired ? standing.runContactId : null, standing.closedContactId].filter((id): id is string => id !== null);
  return { contactId, userId, conversationId, folds: foldedFrom.map((fromContactId) => ({ fromContactId, intoContactId: contactId, userId })) };
}

/** Where a recorded event stands now, read back from the timeline: the same answer on a redelivery. */
export async function standingOf(sql: Sql, messageId: string): Promise<Standing> {
  const row = await onlyRow<{
    run_id: string;
    retired: boolean;
    contact_id: string;
    user_id: string | null;
    conversation_id: string;
    closed_id: string | null;
  }>(
    sql,
    `SELECT r.id AS run_id, r.merged_into_id IS NOT NULL AS retired, h.id AS contact_id, h.user_id, v.id AS conversation_id, f.id AS closed_id
     FROM visitor_events t
     JOIN contacts r ON r.id = t.contact_id
     JOIN contacts h ON h.id = COALESCE(r.merged_into_id, r.id)
     JOIN conversations v ON v.contact_id = h.id AND v.visitor_id = t.visitor_id
     LEFT JOIN contacts f ON f.folded_by = t.message_id
     WHERE t.message_id = $1`,
    [messageId],
  );
  return {
    runContactId: row.run_id,
    retired: row.retired,
    contactId: row.contact_id,
    userId: row.user_id,
    conversationId: row.conversation_id,
    closedContactId: row.closed_id,
  };
}
