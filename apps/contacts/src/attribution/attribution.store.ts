import { DeadLetter, Semaphore } from '@inviaro/jetstream';
import { prepared, queryRows, Sql, transaction } from '@inviaro/persistence';
import { counter } from '@inviaro/observability';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { AttributionInput, byReceived, byVisitor } from './attribution-input';
import { upsertVerifiedContacts, VerifiedContacts, verifiedContactOf } from './attributes';
import { closeRun } from './close-run';
import { Joined, joinRun } from './join-run';
import { attributePlain, partitionPlain } from './plain-events';
import { MicroBatcherOptions, Outcome, Settled } from './micro-batcher';
import { Attribution, attributionOf, standingOf } from './outcome';
import { withRetries } from './retry';
import { erasedEvents, ErasedMeanwhile } from '../erasure/tombstones';

/** What an event came to: where it landed, or `null` when it was erased before it was delivered (dropped, docs/security.md#erasure). */
export type Attributed = Attribution | null;

const attributed = counter('inviaro_attribution_events_total', 'Events attributed, by path: plain (set-based, with the rest of their batch) or per_event', [
  'path',
]);
const folds = counter('inviaro_contact_folds_total', 'Anonymous runs folded into verified contacts (a login, or a late event that moved a run)');

/** The contacts service's MicroBatcher limits (ContactsConfig): the store bounds the visitors it sets aside by them too. */
export const ATTRIBUTION_BATCHING = Symbol('ATTRIBUTION_BATCHING');

type Results = Map<AttributionInput, Settled<Attributed>>;

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
 * A visitor set aside (a fold) is attributed in its own transaction: a long fold holds no one else.
 */
@Injectable()
export class AttributionStore {
  /** Set-aside visitors attributed at once: as many as batches, so that they and the batches do not take the whole pool. */
  private readonly asideSlots: Semaphore;

  constructor(
    private readonly db: Pool,
    @Inject(ATTRIBUTION_BATCHING) batching: MicroBatcherOptions,
  ) {
    this.asideSlots = new Semaphore(batching.maxInFlight);
  }

  /**
   * Attributes a batch. Its plain events (plain-events.ts) commit together in one transaction. Each
   * visitor with any other event (a fold, a late or repeated event) is set aside: attributed after that
   * commit, in a transaction of its own that does not hold the batch's slot, so that a fold of any length
   * holds no other visitor's events; its results are promises, and MicroBatcher keeps that visitor's later
   * events waiting for them. If the batch fails for a reason of its own, each event alone, so one bad event fails only itself.
   */
  async attribute(inputs: AttributionInput[]): Promise<Array<Outcome<Attributed>>> {
    let batch: { results: Results; aside: AttributionInput[] };
    try {
      batch = await withRetries(() => this.transaction(inputs, true));
    } catch (error) {
      if (inputs.length === 1) return [{ ok: false, error }];
      const alone = await Promise.all(inputs.map((input) => this.whole([input])));
      return inputs.map((input, i) => resultOf(alone[i], input));
    }
    const aside = new Map([...byVisitor(batch.aside)].map(([visitorId, events]) => [visitorId, this.setAside(events)]));
    return inputs.map((input) => {
      const later = aside.get(input.event.visitor_id);
      return later ? later.then((results) => resultOf(results, input)) : resultOf(batch.results, input);
    });
  }

  /** One set-aside visitor's events, in a transaction of their own once an aside slot is free. */
  private async setAside(inputs: AttributionInput[]): Promise<Results> {
    await this.asideSlots.acquire();
    try {
      return await this.whole(inputs);
    } finally {
      this.asideSlots.release();
    }
  }

  /** Attributes `inputs` in one transaction, setting none aside; when it fails, each of them fails. */
  private async whole(inputs: AttributionInput[]): Promise<Results> {
    try {
      return (await withRetries(() => this.transaction(inputs, false))).results;
    } catch (error) {
      return new Map(inputs.map((input) => [input, { ok: false, error }]));
    }
  }

  private async transaction(inputs: AttributionInput[], setAside: boolean): Promise<{ results: Results; aside: AttributionInput[] }> {
    // The store's statements are fixed texts: each pooled connection prepares them once.
    const { results, aside, folded } = await transaction(this.db, (tx) => attributeAll(prepared(tx), inputs, setAside));
    folds.inc(folded);
    return { results, aside };
  }
}

function resultOf(results: Results | undefined, input: AttributionInput): Settled<Attributed> {
  return results?.get(input) ?? { ok: false, error: new Error(`attribution: event ${input.event.message_id} was not attributed`) };
}

/**
 * A batch inside its transaction: lock the visitors, tell the plain events from the others, upsert
 * the plain events' users' contacts and attribute those events together (plain-events.ts), then
 * either set the other events aside (returned in `aside`, attributed here in none) or attribute
 * each in received order. A plain event's user is upserted, a set-aside one's is not: its own
 * transaction does, so this one holds no lock on it.
 */
async function attributeAll(sql: Sql, inputs: AttributionInput[], setAside: boolean): Promise<{ results: Results; aside: AttributionInput[]; folded: number }> {
  const visitorIds = [...new Set(inputs.map((input) => input.event.visitor_id))];
  const locked = await queryRows<{ id: string }>(sql, `SELECT id FROM visitors WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [visitorIds]);
  const known = new Set(locked.map((row) => row.id));
  // An erasure locks its devices as this does: one of these visitors' is either committed now, or waits for this transaction.
  const erased = await erasedEvents(
    sql,
    inputs.filter((input) => known.has(input.event.visitor_id)),
  );
  const attributable = inputs.filter((input) => known.has(input.event.visitor_id) && !erased.has(input.event.message_id));
  const { plain, others } = await partitionPlain(sql, attributable);
  const aside = setAside ? others : [];
  const setAsideHere = new Set(aside);
  const verified = attributable.flatMap((input) => (input.kind === 'verified' && !setAsideHere.has(input) ? [input] : []));
  const verifiedContacts = await upsertVerifiedContacts(
    sql,
    verified.map((input) => input.event),
  );
  // A device new to an erased user is not among the erasure's: the upsert above waited on the user's contact row instead.
  if ((await erasedEvents(sql, verified)).size > 0) throw new ErasedMeanwhile('an erasure committed while this batch waited');
  const standings = await attributePlain(sql, plain, verifiedContacts);
  attributed.inc({ path: 'plain' }, plain.length);

  let folded = 0;
  const perEvent = setAside ? [] : others;
  attributed.inc({ path: 'per_event' }, perEvent.length);
  // Received order: the rule does not need it, but it means fewer runs to split.
  for (const input of [...perEvent].sort((a, b) => byReceived(a.event, b.event))) {
    const step = await attributeOne(sql, input, verifiedContacts);
    folded += step.folded;
    standings.set(input.event.message_id, step.standing ?? (await standingOf(sql, input.event.message_id)));
  }
  const results: Results = new Map();
  for (const input of inputs) {
    if (!known.has(input.event.visitor_id)) results.set(input, { ok: false, error: new DeadLetter(`visitor ${input.event.visitor_id} does not exist`) });
    else if (erased.has(input.event.message_id)) results.set(input, { ok: true, value: null });
    else {
      const standing = standings.get(input.event.message_id);
      if (standing !== undefined) results.set(input, { ok: true, value: attributionOf(standing) });
      else if (!setAsideHere.has(input)) results.set(input, { ok: false, error: new Error(`attribution: event ${input.event.message_id} was not attributed`) });
    }
  }
  return { results, aside, folded };
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
