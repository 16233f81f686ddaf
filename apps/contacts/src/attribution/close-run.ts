import { ContactVerifiedData } from '@inviaro/contracts';
import { execute, onlyRow, queryRows, Sql } from '@inviaro/persistence';
import { recomputeAttributes } from './attributes';
import { conversationOf, moveConversation, moveMessages, storeMessage } from './threads';
import { recordEvents } from './timeline';

/**
 * Closing a run (docs/data-model.md): a verified event closes the run of anonymous events received
 * after the visitor's previous verified event and before it — in order, that is the live anonymous
 * contact; after a late delivery, part of a later run (then split off). The event itself lands in
 * its user's contact `contactId`. Returns the number of folds done.
 */
export async function closeRun(sql: Sql, event: ContactVerifiedData, contactId: string): Promise<number> {
  const recorded = await recordEvents(sql, [{ event, contactId, userId: event.user_id }]);
  if (!recorded.has(event.message_id)) return 0; // seen before: nothing to do but answer again

  const run = await queryRows<{ message_id: string; contact_id: string }>(
    sql,
    `WITH previous AS (
       SELECT received_at, message_id FROM visitor_events
       WHERE visitor_id = $1 AND user_id IS NOT NULL AND (received_at, message_id) < ($2, $3)
       ORDER BY received_at DESC, message_id DESC LIMIT 1)
     SELECT a.message_id, a.contact_id FROM visitor_events a
     WHERE a.visitor_id = $1 AND a.user_id IS NULL AND (a.received_at, a.message_id) < ($2, $3)
       AND NOT EXISTS (SELECT 1 FROM previous p WHERE (a.received_at, a.message_id) < (p.received_at, p.message_id))`,
    [event.visitor_id, event.received_at, event.message_id],
  );
  const byContact = runsByContact(run);
  for (const [runContactId, messageIds] of byContact) await retireRun(sql, event, contactId, runContactId, messageIds);

  await storeMessage(sql, await conversationOf(sql, contactId, event), event);
  return byContact.size;
}

/**
 * The run's message ids grouped by the contact that holds them, in one pass: a visitor with tens of
 * thousands of anonymous events folds in time linear in the run, and the event loop (every other
 * visitor's attribution in this process) is not held while it does.
 */
export function runsByContact(run: ReadonlyArray<{ message_id: string; contact_id: string }>): Map<string, string[]> {
  const byContact = new Map<string, string[]>();
  for (const row of run) {
    const messageIds = byContact.get(row.contact_id);
    if (messageIds) messageIds.push(row.message_id);
    else byContact.set(row.contact_id, [row.message_id]);
  }
  return byContact;
}

/** Retires the anonymous events `messageIds` (all of contact `runContactId`) into `intoContactId`, as closed by `event`. */
async function retireRun(sql: Sql, event: ContactVerifiedData, intoContactId: string, runContactId: string, messageIds: string[]): Promise<void> {
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
    else if (home !== intoContactId) await moveMessages(sql, home, intoContactId, event, messageIds, false);
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
  await execute(sql, `UPDATE visitor_events SET contact_id = $2 WHERE message_id = ANY($1::uuid[])`, [messageIds, retired.id]);
  await recomputeAttributes(sql, retired.id);
  await recomputeAttributes(sql, runContactId);
  if (home !== intoContactId) await moveMessages(sql, home, intoContactId, event, messageIds, run.merged_into_id === null);
}
