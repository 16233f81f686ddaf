import { ContactAnonymousData } from '@inviaro/contracts';
import { firstRow, onlyRow, Sql } from '@inviaro/persistence';
import { keepAnonymousAttributes, liveContactOf, upsertLiveContacts } from './attributes';
import { Standing } from './outcome';
import { land } from './landing';

/** What joining a run did: folds done, and where the event stands when that is plain without reading it back. */
export interface Joined {
  folded: number;
  standing?: Standing;
}

/**
 * Joining a run (docs/data-model.md): an anonymous event joins the run it was received in. After
 * the visitor's last verified event, that is the live anonymous contact; before one (a late
 * delivery), the contact of the run that event closed — so it lands in that user's contact, as
 * in-order delivery put it. Where it stands is known here only for the live contact (the common case).
 */
export async function joinRun(sql: Sql, event: ContactAnonymousData): Promise<Joined> {
  const seen = await firstRow(sql, `SELECT 1 FROM visitor_events WHERE message_id = $1`, [event.message_id]);
  if (seen) return { folded: 0 };

  const closer = await firstRow<{ message_id: string; received_at: Date; contact_id: string }>(
    sql,
    `SELECT message_id, received_at, contact_id FROM visitor_events
     WHERE visitor_id = $1 AND user_id IS NOT NULL AND (received_at, message_id) > ($2, $3)
     ORDER BY received_at, message_id LIMIT 1`,
    [event.visitor_id, event.received_at, event.message_id],
  );
  let runContactId: string;
  let homeContactId: string;
  let folded = 0;
  if (closer) {
    const existing = await firstRow<{ id: string }>(sql, `SELECT id FROM contacts WHERE folded_by = $1`, [closer.message_id]);
    if (existing) {
      runContactId = existing.id;
    } else {
      const created = await onlyRow<{ id: string }>(
        sql,
        `INSERT INTO contacts (workspace_id, visitor_id, is_verified, merged_into_id, merged_at, folded_by, last_seen_at)
         VALUES ($1, $2, false, $3, $4, $5, $6) RETURNING id`,
        [event.workspace_id, event.visitor_id, closer.contact_id, closer.received_at, closer.message_id, event.received_at],
      );
      runContactId = created.id;
      folded = 1;
    }
    homeContactId = closer.contact_id;
    await keepAnonymousAttributes(sql, runContactId, event);
  } else {
    runContactId = homeContactId = liveContactOf(await upsertLiveContacts(sql, [event]), event);
  }
  const conversationId = (await land(sql, [{ event, contactId: runContactId, homeContactId, userId: null }])).of(homeContactId, event.visitor_id);
  if (closer) return { folded };
  return { folded, standing: { runContactId, retired: false, contactId: homeContactId, userId: null, conversationId, closedContactId: null } };
}
