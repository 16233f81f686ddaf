import { DeadLetter } from '@inviaro/jetstream';
import { prepared, queryRows, Sql, transaction } from '@inviaro/persistence';
import { counter } from '@inviaro/observability';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { AttributionInput, byReceived } from './attribution-input';
import { upsertVerifiedContacts, VerifiedContacts, verifiedContactOf } from './attributes';
import { closeRun } from './close-run';
import { Joined, joinRun } from './join-run';
import { attributePlain, partitionPlain } from './plain-events';
import { Settled } from './micro-batcher';
import { Attribution, attributionOf, standingOf } from './outcome';
import { withRetries } from './retry';
import { erasedEvents, ErasedMeanwhile } from '../erasure/tombstones';

/** What an event came to: where it landed, or `null` when it was erased before it was delivered (dropped, docs/security.md#erasure). */
export type Attributed = Attribution | null;

const attributed = counter('inviaro_attribution_events_total', 'Events attributed, by path: plain (set-based, with the rest of their batch) or per_event', [
  'path',
]);
const folds = counter('inviaro_contact_folds_total', 'Anonymous runs folded into verified contacts (a login, or a late event that moved a run)');

/**
 * Attribution and fold (docs/api.md §1) by the rule stated in docs/data-model.md, applied incrementally.
 *
 * Every event is recorded once (by message id) in `visitor_events`, the visitor's timeline in
 * received order. Invariant, after every commit: each run of anonymous events (docs/data-model.md) has
 * exactly one anonymous contact; a closed run's contact is retired into the user of the verified
 * event that closed it (`folded_by`, `merged_at` = that event's received_at); messages sit in the
 * conversation of (the contact they count for, their visitor). A new event either joins a run
 * (anonymous, join-run.ts) or closes one, possibly splitting it (verified, close-run.ts) — which only
 * a late delivery does. Threads are threads.ts, attributes attributes.ts, the answer outcome.ts.
 *
 * Concurrency is the database's: a transaction locks the rows of its events' visitors (sorted),
 * then upserts their verified contacts (sorted), so one visitor's events are attributed one at a
 * time on any instance and no two transactions wait on each other in a cycle; the unique indexes
 * make the upserts meet; transient failures (deadlock, serialization) retry the whole transaction.
 */
@Injectable()
export class AttributionStore {
  constructor(private readonly db: Pool) {}

  /** Attributes a batch in one transaction; if that fails for a reason of its own, each event alone, so one bad event fails only itself. */
  async attribute(inputs: AttributionInput[]): Promise<Array<Settled<Attributed>>> {
    try {
      return await withRetries(() => this.transaction(inputs));
    } catch (error) {
      if (inputs.length === 1) return [{ ok: false, error }];
      return Promise.all(
        inputs.map(async (input): Promise<Settled<Attributed>> => {
          try {
            const [result] = await withRetries(() => this.transaction([input]));
            return result ?? { ok: false, error: new Error('a batch of one gave no result') };
          } catch (alone) {
            return { ok: false, error: alone };
          }
        }),
      );
    }
  }

  private async transaction(inputs: AttributionInput[]): Promise<Array<Settled<Attributed>>> {
    // The store's statements are fixed texts: each pooled connection prepares them once.
    const { results, folded } = await transaction(this.db, (tx) => attributeAll(prepared(tx), inputs));
    folds.inc(folded);
    return results;
  }
}

/**
 * A batch inside its transaction: lock the visitors, upsert the users' contacts, attribute the
 * plain events together (plain-events.ts), then each other event in received order.
 */
async function attributeAll(sql: Sql, inputs: AttributionInput[]): Promise<{ results: Array<Settled<Attributed>>; folded: number }> {
  const visitorIds = [...new Set(inputs.map((input) => input.event.visitor_id))];
  const locked = await queryRows<{ id: string }>(sql, `SELECT id FROM visitors WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [visitorIds]);
  const known = new Set(locked.map((row) => row.id));
  // An erasure locks its devices as this does: one of these visitors' is either committed now, or waits for this transaction.
  const erased = await erasedEvents(
    sql,
    inputs.filter((input) => known.has(input.event.visitor_id)),
  );
  const attributable = inputs.filter((input) => known.has(input.event.visitor_id) && !erased.has(input.event.message_id));
  const verified = attributable.flatMap((input) => (input.kind === 'verified' ? [input] : []));
  const verifiedContacts = await upsertVerifiedContacts(
    sql,
    verified.map((input) => input.event),
  );
  // A device new to an erased user is not among the erasure's: the upsert above waited on the user's contact row instead.
  if ((await erasedEvents(sql, verified)).size > 0) throw new ErasedMeanwhile('an erasure committed while this batch waited');
  const { plain, others } = await partitionPlain(sql, attributable);
  const standings = await attributePlain(sql, plain, verifiedContacts);
  attributed.inc({ path: 'plain' }, plain.length);
  attributed.inc({ path: 'per_event' }, others.length);

  let folded = 0;
  // Received order: the rule does not need it, but it means fewer runs to split.
  for (const input of [...others].sort((a, b) => byReceived(a.event, b.event))) {
    const step = await attributeOne(sql, input, verifiedContacts);
    folded += step.folded;
    standings.set(input.event.message_id, step.standing ?? (await standingOf(sql, input.event.message_id)));
  }
  const results = inputs.map((input): Settled<Attributed> => {
    if (!known.has(input.event.visitor_id)) return { ok: false, error: new DeadLetter(`visitor ${input.event.visitor_id} does not exist`) };
    if (erased.has(input.event.message_id)) return { ok: true, value: null };
    const standing = standings.get(input.event.message_id);
    if (standing === undefined) return { ok: false, error: new Error(`attribution: event ${input.event.message_id} was not attributed`) };
    return { ok: true, value: attributionOf(standing) };
  });
  return { results, folded };
}

/** One event by its kind: a verified one closes a run, an anonymous one joins a run. */
async function attributeOne(sql: Sql, input: AttributionInput, verifiedContacts: VerifiedContacts): Promise<Joined> {
  switch (input.kind) {
    case 'verified':
      return { folded: await closeRun(sql, input.event, verifiedContactOf(verifiedContacts, input.event)) };
    case 'anonymous':
      return joinRun(sql, input.event);
  }
}
