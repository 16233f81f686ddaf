import { userKey, VisitorEventFields } from '@inviaro/contracts';
import { DeadLetter } from '@inviaro/jetstream';
import { counter } from '@inviaro/observability';
import { requireRow } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Settled } from './micro-batcher';
import { withRetries } from './retry';

const folds = counter('inviaro_contact_folds_total', 'Anonymous runs folded into verified contacts (a login, or a late event that moved a run)');

/** One contact.verified or contact.anonymous event to attribute. */
export interface AttributionInput {
  event: VisitorEventFields;
  /** The user the claim verified as (contact.verified); absent for contact.anonymous. */
  userId?: string;
}

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

type Sql = <T = Record<string, unknown>>(text: string, params: unknown[]) => Promise<T[]>;

/** The SQL of "keep the value of the latest event, in received order, that carried one; on a tie in time the greater value" for one attribute. */
const newer = (column: 'email' | 'name', value: string, at: string, current = 'contacts') =>
  `(${value} IS NOT NULL AND (${current}.${column}_at IS NULL OR (${at}, ${value} COLLATE "C") > (${current}.${column}_at, ${current}.${column} COLLATE "C")))`;
const keepLatest = (column: 'email' | 'name', value: string, at: string) =>
  `${column} = CASE WHEN ${newer(column, value, at)} THEN ${value} ELSE contacts.${column} END,
   ${column}_at = CASE WHEN ${newer(column, value, at)} THEN ${at} ELSE contacts.${column}_at END`;

/**
 * Attribution and fold (docs/api.md §1) by the rule stated in docs/data-model.md, applied incrementally.
 *
 * Every event is recorded once (by message id) in `visitor_events`, the visitor's timeline in
 * received order. Invariant, after every commit: each run of anonymous events (docs/data-model.md) has
 * exactly one anonymous contact; a closed run's contact is retired into the user of the verified
 * event that closed it (`folded_by`, `merged_at` = that event's received_at); messages sit in the
 * conversation of (the contact they count for, their visitor). A new event either joins a run
 * (anonymous) or closes one, possibly splitting it (verified) — which only a late delivery does.
 *
 * Concurrency is the database's: a transaction locks the rows of its events' visitors (sorted),
 * then upserts their verified contacts (sorted), so one visitor's events are attributed one at a
 * time on any instance and no two transactions wait on each other in a cycle; the unique indexes
 * make the upserts meet; transient failures (deadlock, serialization) retry the whole transaction.
 */
@Injectable()
export class AttributionStore {
  constructor(private readonly db: DataSource) {}

  /** Attributes a batch in one transaction; if that fails for a reason of its own, each event alone, so one bad event fails only itself. */
  async attribute(inputs: AttributionInput[]): Promise<Array<Settled<Attribution>>> {
    try {
      return await withRetries(() => this.transaction(inputs));
    } catch (error) {
      if (inputs.length === 1) return [{ ok: false, error }];
      return Promise.all(
        inputs.map(async (input): Promise<Settled<Attribution>> => {
          try {
            return requireRow(await withRetries(() => this.transaction([input])), 'a transaction of one event');
          } catch (alone) {
            return { ok: false, error: alone };
          }
        }),
      );
    }
  }

  private async transaction(inputs: AttributionInput[]): Promise<Array<Settled<Attribution>>> {
    const runner = this.db.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    try {
      await runner.startTransaction();
      const { results, folded } = await this.attributeAll(preparedSql(client), inputs);
      await runner.commitTransaction();
      folds.inc(folded);
      return results;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  private async attributeAll(sql: Sql, inputs: AttributionInput[]): Promise<{ results: Array<Settled<Attribution>>; folded: number }> {
    const visitorIds = [...new Set(inputs.map((input) => input.event.visitor_id))];
    const locked = await sql<{ id: string }>(`SELECT id FROM visitors WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [visitorIds]);
    const known = new Set(locked.map((row) => row.id));
    const present = inputs.filter((input) => known.has(input.event.visitor_id));
    const verifiedContacts = await this.upsertVerifiedContacts(sql, present);

    const results = new Array<Settled<Attribution>>(inputs.length);
    let folded = 0;
    // Received order inside the batch: the rule does not need it, but it means fewer runs to split.
    const order = [...inputs.entries()].sort(([, a], [, b]) => byReceived(a.event, b.event));
    for (const [i, input] of order) {
      if (!known.has(input.event.visitor_id)) {
        results[i] = { ok: false, error: new DeadLetter(`visitor ${input.event.visitor_id} does not exist`) };
        continue;
      }
      const step =
        input.userId === undefined
          ? await this.attributeAnonymous(sql, input.event)
          : { folded: await this.attributeVerified(sql, input.event, input.userId, verifiedContacts.get(userKey(input.event.workspace_id, input.userId))!) };
      folded += step.folded;
      results[i] = { ok: true, value: step.known ?? (await this.outcome(sql, input.event.message_id)) };
    }
    return { results, folded };
  }

  /**
   * The contact (workspace, user_id) of every verified event, created on first sight, in one
   * statement, in a fixed order (so that two transactions lock shared users in the same order).
   * Attributes: the latest non-null value by received time, whatever the delivery order.
   */
  private async upsertVerifiedContacts(sql: Sql, inputs: AttributionInput[]): Promise<Map<string, string>> {
    const users = new Map<string, { workspace: string; user: string; email?: Stamped; name?: Stamped; lastSeen: string }>();
    for (const { event, userId } of inputs) {
      if (userId === undefined) continue;
      const key = userKey(event.workspace_id, userId);
      const entry = users.get(key) ?? { workspace: event.workspace_id, user: userId, lastSeen: event.received_at };
      entry.email = laterOf(entry.email, event.email, event.received_at);
      entry.name = laterOf(entry.name, event.name, event.received_at);
      if (Date.parse(event.received_at) > Date.parse(entry.lastSeen)) entry.lastSeen = event.received_at;
      users.set(key, entry);
    }
    if (users.size === 0) return new Map();
    const rows = [...users.values()];
    const upserted = await sql<{ id: string; workspace_id: string; user_id: string }>(
      `INSERT INTO contacts (workspace_id, user_id, is_verified, email, email_at, name, name_at, last_seen_at)
       SELECT w, u, true, e, ea, n, na, ls
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[]) AS t(w, u, e, ea, n, na, ls)
       ORDER BY w, u
       ON CONFLICT (workspace_id, user_id) WHERE user_id IS NOT NULL DO UPDATE SET
         ${keepLatest('email', 'EXCLUDED.email', 'EXCLUDED.email_at')},
         ${keepLatest('name', 'EXCLUDED.name', 'EXCLUDED.name_at')},
         last_seen_at = GREATEST(contacts.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING id, workspace_id, user_id`,
      [
        rows.map((r) => r.workspace),
        rows.map((r) => r.user),
        rows.map((r) => r.email?.value ?? null),
        rows.map((r) => r.email?.at ?? null),
        rows.map((r) => r.name?.value ?? null),
        rows.map((r) => r.name?.at ?? null),
        rows.map((r) => r.lastSeen),
      ],
    );
    return new Map(upserted.map((row) => [userKey(row.workspace_id, row.user_id), row.id]));
  }

  /**
   * A verified event: it closes the run of anonymous events received after the visitor's previous
   * verified event and before it — in order, that is the live anonymous contact; after a late
   * delivery, part of a later run (then split off). Returns the number of folds done.
   */
  private async attributeVerified(sql: Sql, event: VisitorEventFields, userId: string, contactId: string): Promise<number> {
    const [recorded] = await sql(
      `INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [event.message_id, event.visitor_id, event.received_at, userId, contactId],
    );
    if (!recorded) return 0; // seen before: nothing to do but answer again

    const run = await sql<{ message_id: string; contact_id: string }>(
      `WITH previous AS (
         SELECT received_at, message_id FROM visitor_events
         WHERE visitor_id = $1 AND user_id IS NOT NULL AND (received_at, message_id) < ($2, $3)
         ORDER BY received_at DESC, message_id DESC LIMIT 1)
       SELECT a.message_id, a.contact_id FROM visitor_events a
       WHERE a.visitor_id = $1 AND a.user_id IS NULL AND (a.received_at, a.message_id) < ($2, $3)
         AND NOT EXISTS (SELECT 1 FROM previous p WHERE (a.received_at, a.message_id) < (p.received_at, p.message_id))`,
      [event.visitor_id, event.received_at, event.message_id],
    );
    const byContact = new Map<string, string[]>();
    for (const row of run) byContact.set(row.contact_id, [...(byContact.get(row.contact_id) ?? []), row.message_id]);
    for (const [runContactId, messageIds] of byContact) await this.fold(sql, event, contactId, runContactId, messageIds);

    const conversationId = await this.conversation(sql, contactId, event);
    await this.storeMessage(sql, conversationId, event);
    return byContact.size;
  }

  /** Retires the anonymous events `messageIds` (all of contact `runContactId`) into `intoContactId`, as closed by `event`. */
  private async fold(sql: Sql, event: VisitorEventFields, intoContactId: string, runContactId: string, messageIds: string[]): Promise<void> {
    const run = await sql<{ merged_into_id: string | null; continues: boolean }>(
      `SELECT merged_into_id, EXISTS (
         SELECT 1 FROM visitor_events l WHERE l.contact_id = c.id AND l.user_id IS NULL AND (l.received_at, l.message_id) > ($2, $3)
       ) AS continues
       FROM contacts c WHERE c.id = $1`,
      [runContactId, event.received_at, event.message_id],
    ).then((rows) => requireRow(rows, 'the run being folded'));
    // Where the run's messages are now: the live contact's own conversation, or that of the user a later verified event folded them into.
    const home = run.merged_into_id ?? runContactId;
    if (!run.continues) {
      // The whole run was received before this event: its contact is the one retired here.
      if (run.merged_into_id === null) await this.moveConversation(sql, runContactId, intoContactId, event.visitor_id);
      else if (home !== intoContactId) await this.moveMessages(sql, home, intoContactId, event, messageIds, false);
      await sql(`UPDATE contacts SET merged_into_id = $2, merged_at = $3, folded_by = $4 WHERE id = $1`, [
        runContactId,
        intoContactId,
        event.received_at,
        event.message_id,
      ]);
      return;
    }
    // Late delivery: events received after this one are already in the run. They keep its contact;
    // those before it get a contact of their own, retired here, as in-order delivery would have made.
    const retired = await sql<{ id: string }>(
      `INSERT INTO contacts (workspace_id, visitor_id, is_verified, merged_into_id, merged_at, folded_by, last_seen_at)
       VALUES ($1, $2, false, $3, $4, $5, $4) RETURNING id`,
      [event.workspace_id, event.visitor_id, intoContactId, event.received_at, event.message_id],
    ).then((rows) => requireRow(rows, 'the retired contact'));
    await sql(`UPDATE visitor_events SET contact_id = $2 WHERE message_id = ANY($1::uuid[])`, [messageIds, retired.id]);
    await this.recomputeAttributes(sql, retired.id);
    await this.recomputeAttributes(sql, runContactId);
    if (home !== intoContactId) await this.moveMessages(sql, home, intoContactId, event, messageIds, run.merged_into_id === null);
  }

  /**
   * An anonymous event: it joins the run it was received in. After the visitor's last verified
   * event, that is the live anonymous contact; before one (a late delivery), the contact of the run
   * that event closed — so it lands in that user's contact, as in-order delivery put it. Returns the
   * number of folds done, and where the event landed when that is plain without asking again (the
   * live contact: the common case).
   */
  private async attributeAnonymous(sql: Sql, event: VisitorEventFields): Promise<{ folded: number; known?: Attribution }> {
    const [seen] = await sql(`SELECT 1 FROM visitor_events WHERE message_id = $1`, [event.message_id]);
    if (seen) return { folded: 0 };

    const [closer] = await sql<{ message_id: string; received_at: Date; contact_id: string }>(
      `SELECT message_id, received_at, contact_id FROM visitor_events
       WHERE visitor_id = $1 AND user_id IS NOT NULL AND (received_at, message_id) > ($2, $3)
       ORDER BY received_at, message_id LIMIT 1`,
      [event.visitor_id, event.received_at, event.message_id],
    );
    let runContactId: string;
    let homeContactId: string;
    let folded = 0;
    if (closer) {
      const [existing] = await sql<{ id: string }>(`SELECT id FROM contacts WHERE folded_by = $1`, [closer.message_id]);
      if (existing) {
        runContactId = existing.id;
      } else {
        const created = await sql<{ id: string }>(
          `INSERT INTO contacts (workspace_id, visitor_id, is_verified, merged_into_id, merged_at, folded_by, last_seen_at)
           VALUES ($1, $2, false, $3, $4, $5, $6) RETURNING id`,
          [event.workspace_id, event.visitor_id, closer.contact_id, closer.received_at, closer.message_id, event.received_at],
        ).then((rows) => requireRow(rows, 'the new contact'));
        runContactId = created.id;
        folded = 1;
      }
      homeContactId = closer.contact_id;
    } else {
      const live = await sql<{ id: string }>(
        `INSERT INTO contacts (workspace_id, visitor_id, is_verified, last_seen_at) VALUES ($1, $2, false, $3)
         ON CONFLICT (visitor_id) WHERE visitor_id IS NOT NULL AND merged_into_id IS NULL
         DO UPDATE SET last_seen_at = contacts.last_seen_at RETURNING id`,
        [event.workspace_id, event.visitor_id, event.received_at],
      ).then((rows) => requireRow(rows, 'the live contact'));
      runContactId = homeContactId = live.id;
    }
    await sql(
      `UPDATE contacts SET ${keepLatest('email', '$2::text', '$4::timestamptz')}, ${keepLatest('name', '$3::text', '$4::timestamptz')},
         last_seen_at = GREATEST(last_seen_at, $4::timestamptz)
       WHERE id = $1`,
      [runContactId, event.email ?? null, event.name ?? null, event.received_at],
    );
    await sql(
      `INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id, email, name) VALUES ($1, $2, $3, NULL, $4, $5, $6)`,
      [event.message_id, event.visitor_id, event.received_at, runContactId, event.email ?? null, event.name ?? null],
    );
    const conversationId = await this.conversation(sql, homeContactId, event);
    await this.storeMessage(sql, conversationId, event);
    return { folded, known: closer ? undefined : { contactId: homeContactId, conversationId, folds: [] } };
  }

  /** The live anonymous contact's thread with its visitor goes to the verified contact: as it is, or into the thread already there. */
  private async moveConversation(sql: Sql, fromContactId: string, intoContactId: string, visitorId: string): Promise<void> {
    const [target] = await sql<{ id: string }>(`SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2`, [intoContactId, visitorId]);
    if (!target) {
      await sql(`UPDATE conversations SET contact_id = $2 WHERE contact_id = $1`, [fromContactId, intoContactId]);
      return;
    }
    await sql(`UPDATE messages SET conversation_id = $2 WHERE conversation_id IN (SELECT id FROM conversations WHERE contact_id = $1)`, [fromContactId, target.id]);
    await sql(`DELETE FROM conversations WHERE contact_id = $1`, [fromContactId]);
  }

  /**
   * Moves the messages of a split run between two contacts' threads with the visitor. Operator
   * replies in a live anonymous thread go along when they were written before `event` was received.
   */
  private async moveMessages(sql: Sql, fromContactId: string, intoContactId: string, event: VisitorEventFields, messageIds: string[], withReplies: boolean): Promise<void> {
    const target = await this.conversation(sql, intoContactId, event);
    await sql(
      `UPDATE messages SET conversation_id = $3
       WHERE conversation_id = (SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2)
         AND (id = ANY($4::uuid[]) OR ($5 AND author = 'operator' AND created_at < $6))`,
      [fromContactId, event.visitor_id, target, messageIds, withReplies, event.received_at],
    );
  }

  /** Email, name and last seen of an anonymous contact, from the events of its run (after a split). */
  private async recomputeAttributes(sql: Sql, contactId: string): Promise<void> {
    await sql(
      `UPDATE contacts c SET
         (email, email_at) = (SELECT email, received_at FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL AND email IS NOT NULL
                              ORDER BY received_at DESC, email COLLATE "C" DESC LIMIT 1),
         (name, name_at) = (SELECT name, received_at FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL AND name IS NOT NULL
                            ORDER BY received_at DESC, name COLLATE "C" DESC LIMIT 1),
         last_seen_at = COALESCE((SELECT max(received_at) FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL), c.last_seen_at)
       WHERE c.id = $1`,
      [contactId],
    );
  }

  /** The thread of (contact, visitor), created on first sight. The caller holds the visitor's lock, so no one else creates it meanwhile. */
  private async conversation(sql: Sql, contactId: string, event: VisitorEventFields): Promise<string> {
    const [found] = await sql<{ id: string }>(`SELECT id FROM conversations WHERE contact_id = $1 AND visitor_id = $2`, [contactId, event.visitor_id]);
    if (found) return found.id;
    const created = await sql<{ id: string }>(
      `INSERT INTO conversations (contact_id, widget_id, visitor_id) VALUES ($1, $2, $3)
       ON CONFLICT (contact_id, visitor_id) DO UPDATE SET widget_id = conversations.widget_id RETURNING id`,
      [contactId, event.widget_id, event.visitor_id],
    ).then((rows) => requireRow(rows, 'the conversation'));
    return created.id;
  }

  /** A message event's message, once per message id (an identify stores none). */
  private async storeMessage(sql: Sql, conversationId: string, event: VisitorEventFields): Promise<void> {
    if (event.kind !== 'message') return;
    await sql(`INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES ($1, $2, 'visitor', $3, $4) ON CONFLICT (id) DO NOTHING`, [
      event.message_id,
      conversationId,
      event.text,
      event.received_at,
    ]);
  }

  /**
   * Where an event stands now, for the events announced after the commit: the contact it counts
   * for, its thread, and the fold it stands for — a verified event, the run it closed; an anonymous
   * event in a retired run, that run's fold. The same answer on a redelivery.
   */
  private async outcome(sql: Sql, messageId: string): Promise<Attribution> {
    const row = await sql<{ run_id: string; retired: boolean; contact_id: string; user_id: string | null; conversation_id: string; closed_id: string | null }>(
      `SELECT r.id AS run_id, r.merged_into_id IS NOT NULL AS retired, h.id AS contact_id, h.user_id, v.id AS conversation_id, f.id AS closed_id
       FROM visitor_events t
       JOIN contacts r ON r.id = t.contact_id
       JOIN contacts h ON h.id = COALESCE(r.merged_into_id, r.id)
       JOIN conversations v ON v.contact_id = h.id AND v.visitor_id = t.visitor_id
       LEFT JOIN contacts f ON f.folded_by = t.message_id
       WHERE t.message_id = $1`,
      [messageId],
    ).then((rows) => requireRow(rows, 'the outcome of an event'));
    const userId = row.user_id ?? undefined;
    const foldedFrom = [row.retired ? row.run_id : undefined, row.closed_id ?? undefined].filter((id): id is string => id !== undefined);
    return {
      contactId: row.contact_id,
      userId,
      conversationId: row.conversation_id,
      folds: userId === undefined ? [] : foldedFrom.map((fromContactId) => ({ fromContactId, intoContactId: row.contact_id, userId })),
    };
  }
}

interface Stamped {
  value: string;
  at: string;
}

function laterOf(current: Stamped | undefined, value: string | undefined, at: string): Stamped | undefined {
  if (value === undefined || value === null) return current;
  if (!current) return { value, at };
  const [a, b] = [Date.parse(at), Date.parse(current.at)];
  return a > b || (a === b && value > current.value) ? { value, at } : current;
}

function byReceived(a: VisitorEventFields, b: VisitorEventFields): number {
  return Date.parse(a.received_at) - Date.parse(b.received_at) || (a.message_id < b.message_id ? -1 : a.message_id > b.message_id ? 1 : 0);
}

/** Statement names by text: each pooled connection parses and plans a statement once, not on every event. */
const statementNames = new Map<string, string>();

/** Runs on the transaction's own connection, as named prepared statements (the store's texts are fixed). */
function preparedSql(client: PoolClient): Sql {
  return async <T>(text: string, values: unknown[]) => {
    let name = statementNames.get(text);
    if (name === undefined) statementNames.set(text, (name = `attribution-${statementNames.size}`));
    return (await client.query({ name, text, values })).rows as T[];
  };
}
