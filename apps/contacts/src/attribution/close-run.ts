import { ContactVerifiedData } from '@inviaro/contracts';
import { execute, onlyRow, queryRows, Sql } from '@inviaro/persistence';
import { recomputeAttributes } from './attributes';
import { conversationOf, moveConversation, moveMessages, storeMessage } from './threads';
import { recordEvents, runClosedBy } from './timeline';

/**
 * Closing a run (docs/data-model.md): a verified event closes the run of anonymous events received
 * after the visitor's previous verified event and before it — in order, that is the live anonymous
 * contact; after a late delivery, part of a later run (then split off). The event itself lands in
 * its user's contact `contactId`. Returns the number of folds done.
 */
export async function closeRun(sql: Sql, event: ContactVerifiedData, contactId: string): Promise<number> {
  const recorded = await recordEvents(sql, [{ event, contactId, userId: event.user_id }]);
  if (!recorded.has(event.message_id)) return 0; // seen before: nothing to do but answer again

  // The contacts holding the run (more than one only after a late delivery split it), never its events: the statements below move those.
  const runContacts = await queryRows<{ contact_id: string }>(sql, runClosedBy('DISTINCT a.contact_id'), [
    event.visitor_id,
    event.received_at,
    event.message_id,
  ]);
  for (const { contact_id } of runContacts) await retireRun(sql, event, contactId, contact_id);

  await storeMessage(sql, await conversationOf(sql, contactId, event), event);
  return runContacts.length;
}

/** Retires the events of the run `event` closes that contact `runContactId` holds into `intoContactId`. */
async function retireRun(sql: Sql, event: ContactVerifiedData, intoContactId: string, runContactId: string): Promise<void> {
  const run = await onlyRow<{ merged_into_id: string | null; continues: boolean }>(
    sql,
    `SELECT merged_into_id, EXISTS (
       SELECT 1 FROM visitor_events l WHERE l.contact_id = c.id AND l.user_id IS NULL AND (l.received_at, l.message_id) > ($2, $3)
     ) AS continues
     FROM contacts c WHERE c.id = $1`,
    [runContactId, event.received_at, event.message_id],
  );
  // Where the run's messages are now: the live contact's own conversation, or that of the user a later verified event folded them into.
  const home = run.merged_into_id ?? runContactId;
  if (!run.continues) {
    // The whole run was received before this event: its contact is the one retired here.
    if (run.merged_into_id === null) await moveConversation(sql, runContactId, intoContactId, event.visitor_id);
    else if (home !== intoContactId) await moveMessages(sql, home, intoContactId, event, runContactId, false);
    await execute(sql, `UPDATE contacts SET merged_into_id = $2, merged_at = $3, folded_by = $4 WHERE id = $1`, [
      runContactId,
      intoContactId,
      event.received_at,
      event.message_id,
    ]);
    return;
  }
  // Late delivery: events received after this one are already in the run. They keep its contact;
  // those before it get a contact of their own, retired here, as in-order delivery would have made.
  const retired = await onlyRow<{ id: string }>(
    sql,
    `INSERT INTO contacts (workspace_id, visitor_id, is_verified, merged_into_id, merged_at, folded_by, last_seen_at)
     VALUES ($1, $2, false, $3, $4, $5, $4) RETURNING id`,
    [event.workspace_id, event.visitor_id, intoContactId, event.received_at, event.message_id],
  );
  await execute(sql, `UPDATE visitor_events SET contact_id = $5 WHERE message_id IN (${runClosedBy('a.message_id', 'AND a.contact_id = $4')})`, [
    event.visitor_id,
    event.received_at,
    event.message_id,
    runContactId,
    retired.id,
  ]);
  await recomputeAttributes(sql, retired.id);
  await recomputeAttributes(sql, runContactId);
  if (home !== intoContactId) await moveMessages(sql, home, intoContactId, event, retired.id, run.merged_into_id === null);
}
