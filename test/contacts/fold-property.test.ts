/**
 * Property: whatever the delivery order, with duplicates, the contacts service ends in the state
 * that in-order delivery gives — and that state is the fold rule's (docs/data-model.md).
 *
 * Real PostgreSQL, real JetStream and two real contacts-service processes (one batching, one
 * attributing each event alone). Each generated history is played twice, into two workspaces of
 * its own: once in received order, one event at a time, each handled before the next is sent; once
 * shuffled, in bursts, with redeliveries. Both end states, and an independent model of the rule,
 * must agree. Replay a failure with FOLD_SEED=<seed> (printed in the failure).
 */
import { SignedAttribute } from '@inviaro/contracts';
import { nth, RunningSystem, startSystem } from '@inviaro/test-harness';
import { EventFeed, Random, seeded, seedWorkspace, WidgetEvent } from './support';

jest.setTimeout(180_000);

const SEED = Number(process.env.FOLD_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ROUNDS = atLeastOne('FOLD_ROUNDS', 4);
const HISTORIES_PER_ROUND = atLeastOne('FOLD_HISTORIES', 25);

/** A count from the environment; zero (or not a whole number) is refused: the property would pass with nothing checked. */
function atLeastOne(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${process.env[name]}: the fold property needs at least one; it would check nothing`);
  return value;
}

// ---- histories, abstractly: visitors and events by index, users by name ----

interface Step {
  index: number;
  visitor: number;
  kind: 'message' | 'identify';
  /** Verified as this user; absent: anonymous (no claim, or a failed one). */
  user?: string;
  /** Offset in ms from the history's start. */
  at: number;
  email?: string;
  name?: string;
  /** A verified step's attributes that came signed (in a user_jwt). */
  signed?: SignedAttribute[];
}

interface History {
  visitors: number;
  steps: Step[];
}

const USERS = ['usr_a', 'usr_b', 'usr_c'];
const EMAILS = ['a@example.com', 'b@example.com', 'c@example.com'];
const NAMES = ['Ana', 'Bo', 'Cy'];

function generate(random: Random): History {
  const visitors = random.int(2, 5);
  // Most devices log in as at most one user; a few are shared (two users on one browser, no logout).
  const usersOf = Array.from({ length: visitors }, () => {
    const roll = random.next();
    if (roll < 0.35) return [];
    if (roll < 0.85) return [random.pick(USERS)];
    return random.shuffle(USERS).slice(0, 2);
  });
  const steps: Step[] = [];
  let at = 0;
  for (let index = 0, count = random.int(6, 24); index < count; index++) {
    const visitor = random.int(0, visitors - 1);
    const users = nth(usersOf, visitor);
    const user = users.length > 0 && random.chance(0.45) ? random.pick(users) : undefined;
    // Same millisecond now and then: the tie goes by message id.
    at += random.chance(0.12) ? 0 : random.int(1, 2_000);
    const kind = random.chance(0.2) ? 'identify' : 'message';
    const email = random.chance(0.25) ? random.pick(EMAILS) : undefined;
    const name = random.chance(0.2) ? random.pick(NAMES) : undefined;
    // Only a verified step can carry signed attributes (a user_jwt that verified).
    const signed = user === undefined ? [] : (['email', 'name'] as const).filter((a) => (a === 'email' ? email : name) !== undefined && random.chance(0.4));
    steps.push({ index, visitor, kind, user, at, email, name, signed });
  }
  return { visitors, steps };
}

// ---- the model: the rule, written again here independently of the service's code ----

type State = Record<'verified' | 'anonymous' | 'conversations' | 'messages', string[]>;

/** Message ids sort like their step index (see `instantiate`), so ties in time break alike in model and database. */
function received(a: Step, b: Step): number {
  return a.at - b.at || a.index - b.index;
}

/** The attribute's value by the rule: a signed value over any unsigned one, then the latest received, then the greater; `(signed)` when it came signed. */
function latest(steps: Step[], attribute: SignedAttribute): string {
  let best: { signed: boolean; at: number; value: string } | undefined;
  for (const s of steps) {
    const value = s[attribute];
    if (value === undefined) continue;
    const candidate = { signed: s.signed?.includes(attribute) ?? false, at: s.at, value };
    const wins =
      !best || (candidate.signed !== best.signed ? candidate.signed : candidate.at !== best.at ? candidate.at > best.at : candidate.value > best.value);
    if (wins) best = candidate;
  }
  return best ? `${best.value}${best.signed ? '(signed)' : ''}` : '-';
}

function expected(history: History): State {
  const state: State = { verified: [], anonymous: [], conversations: [], messages: [] };
  const ownerOf = new Map<number, string>();
  const conversations = new Set<string>();
  for (let visitor = 0; visitor < history.visitors; visitor++) {
    const steps = history.steps.filter((s) => s.visitor === visitor).sort(received);
    let run: Step[] = [];
    const close = (closer?: Step) => {
      if (run.length === 0) return;
      const label = closer ? `retired:v${visitor}<-e${closer.index}` : `live:v${visitor}`;
      state.anonymous.push(`${label} into=${closer?.user ?? '-'} email=${latest(run, 'email')} name=${latest(run, 'name')}`);
      const owner = closer ? `user:${closer.user}` : label;
      for (const s of run) ownerOf.set(s.index, owner);
      conversations.add(`${owner}|v${visitor}`);
      run = [];
    };
    for (const s of steps) {
      if (s.user === undefined) {
        run.push(s);
        continue;
      }
      close(s);
      ownerOf.set(s.index, `user:${s.user}`);
      conversations.add(`user:${s.user}|v${visitor}`);
    }
    close();
  }
  for (const user of USERS) {
    const steps = history.steps.filter((s) => s.user === user);
    if (steps.length > 0) state.verified.push(`${user} email=${latest(steps, 'email')} name=${latest(steps, 'name')}`);
  }
  for (const s of history.steps) if (s.kind === 'message') state.messages.push(`e${s.index}@${ownerOf.get(s.index)}|v${s.visitor}`);
  state.conversations = [...conversations];
  return sorted(state);
}

function sorted(state: State): State {
  return {
    verified: [...state.verified].sort(),
    anonymous: [...state.anonymous].sort(),
    conversations: [...state.conversations].sort(),
    messages: [...state.messages].sort(),
  };
}

// ---- a history played into a workspace of its own ----

interface Instance {
  history: History;
  workspaceId: string;
  visitorIds: string[];
  events: WidgetEvent[];
}

async function instantiate(system: RunningSystem, history: History, random: Random): Promise<Instance> {
  const { workspaceId, widgetId, visitorIds } = await seedWorkspace(system, history.visitors);
  // Message ids that sort like the step index (and differ between instances): <instance>-0000-4000-8000-<index>.
  const prefix = Math.floor(random.next() * 0xffffffff)
    .toString(16)
    .padStart(8, '0');
  const start = Date.UTC(2026, 0, 1) + random.int(0, 1e9);
  const events = history.steps.map((s): WidgetEvent => ({
    kind: s.kind,
    message_id: `${prefix}-0000-4000-8000-${s.index.toString(16).padStart(12, '0')}`,
    workspace_id: workspaceId,
    widget_id: widgetId,
    visitor_id: nth(visitorIds, s.visitor),
    received_at: new Date(start + s.at).toISOString(),
    ...(s.kind === 'message' ? { text: `step ${s.index}` } : {}),
    ...(s.email ? { email: s.email } : {}),
    ...(s.name ? { name: s.name } : {}),
    ...(s.user ? { user_id: s.user } : {}),
    ...(s.signed?.length ? { signed_attributes: s.signed } : {}),
  }));
  return { history, workspaceId, visitorIds, events };
}

/** The instance's state in the model's terms (visitors, events and users by name, not by id). */
async function observed(system: RunningSystem, instance: Instance): Promise<State> {
  const visitor = new Map(instance.visitorIds.map((id, i) => [id, `v${i}`]));
  const step = new Map(instance.events.map((e, i) => [e.message_id, `e${nth(instance.history.steps, i).index}`]));
  const contacts = await system.sql<{
    id: string;
    user_id: string | null;
    visitor_id: string | null;
    merged_into_id: string | null;
    folded_by: string | null;
    email: string | null;
    email_verified: boolean;
    name: string | null;
    name_verified: boolean;
  }>(`SELECT id, user_id, visitor_id, merged_into_id, folded_by, email, email_verified, name, name_verified FROM contacts WHERE workspace_id = $1`, [
    instance.workspaceId,
  ]);
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const label = (id: string): string => {
    const c = byId.get(id)!;
    if (c.user_id !== null) return `user:${c.user_id}`;
    if (c.merged_into_id === null) return `live:${visitor.get(c.visitor_id!)}`;
    return `retired:${visitor.get(c.visitor_id!)}<-${step.get(c.folded_by!) ?? `unknown ${c.folded_by}`}`;
  };
  const state: State = { verified: [], anonymous: [], conversations: [], messages: [] };
  for (const c of contacts) {
    const marked = (value: string | null, signed: boolean) => `${value ?? '-'}${signed ? '(signed)' : ''}`;
    const attributes = `email=${marked(c.email, c.email_verified)} name=${marked(c.name, c.name_verified)}`;
    if (c.user_id !== null) state.verified.push(`${c.user_id} ${attributes}`);
    else state.anonymous.push(`${label(c.id)} into=${c.merged_into_id ? byId.get(c.merged_into_id)?.user_id : '-'} ${attributes}`);
  }
  const conversations = await system.sql<{ id: string; contact_id: string; visitor_id: string }>(
    `SELECT v.id, v.contact_id, v.visitor_id FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE c.workspace_id = $1`,
    [instance.workspaceId],
  );
  const conversation = new Map(conversations.map((v) => [v.id, `${label(v.contact_id)}|${visitor.get(v.visitor_id)}`]));
  state.conversations = [...conversation.values()];
  const messages = await system.sql<{ id: string; conversation_id: string }>(`SELECT id, conversation_id FROM messages WHERE id = ANY($1::uuid[])`, [
    instance.events.map((e) => e.message_id),
  ]);
  state.messages = messages.map((m) => `${step.get(m.id)}@${conversation.get(m.conversation_id) ?? 'a conversation of another workspace'}`);
  return sorted(state);
}

// ---- deliveries ----

/** Every instance in received order, one event at a time each, waiting until it is handled (instances side by side). */
async function deliverInOrder(feed: EventFeed, instances: Instance[]): Promise<void> {
  const queues = instances.map((instance) => instance.history.steps.map((s, i) => ({ s, event: nth(instance.events, i) })).sort((a, b) => received(a.s, b.s)));
  for (let k = 0; queues.some((q) => k < q.length); k++) {
    await Promise.all(queues.filter((q) => k < q.length).map((q) => feed.publish(nth(q, k).event)));
    await feed.drained();
  }
}

/** Everything at once in a random order, some events two or three times, in bursts of random size with short pauses between. */
async function deliverShuffled(feed: EventFeed, instances: Instance[], random: Random): Promise<void> {
  const copies = instances.flatMap((instance) =>
    instance.events.flatMap((event) => {
      const extra = random.chance(0.3) ? random.int(1, 2) : 0;
      return Array.from({ length: 1 + extra }, (_, copy) => ({ event, copy }));
    }),
  );
  const order = random.shuffle(copies);
  while (order.length > 0) {
    const burst = order.splice(0, random.int(1, 60));
    await Promise.all(burst.map(({ event, copy }) => feed.publish(event, copy)));
    if (random.chance(0.5)) await new Promise((resolve) => setTimeout(resolve, random.int(0, 15)));
  }
  await feed.drained(60_000);
}

describe('folding is idempotent and order-independent (property, real PostgreSQL and two contacts processes)', () => {
  let system: RunningSystem;
  let feed: EventFeed;
  beforeAll(async () => {
    system = await startSystem({ services: ['contacts'] });
    // A second instance that attributes every event in a transaction of its own: both paths share the work.
    await system.start('contacts', { ATTRIBUTION_BATCH_MAX: '1', ATTRIBUTION_TRANSACTIONS: '16' });
    feed = await EventFeed.open(system.servers.natsUrl);
  });
  afterAll(async () => {
    await feed?.close();
    await system?.stop();
  });

  it(`ends every shuffled, duplicated delivery where in-order delivery ends (seed ${SEED})`, async () => {
    const random = seeded(SEED);
    let checked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const histories = Array.from({ length: HISTORIES_PER_ROUND }, () => generate(random));
      const inOrder = await Promise.all(histories.map((h) => instantiate(system, h, random)));
      const shuffled = await Promise.all(histories.map((h) => instantiate(system, h, random)));
      await deliverInOrder(feed, inOrder);
      await deliverShuffled(feed, shuffled, random);

      for (let i = 0; i < histories.length; i++) {
        const model = expected(nth(histories, i));
        const [ordered, reordered] = [await observed(system, nth(inOrder, i)), await observed(system, nth(shuffled, i))];
        if (JSON.stringify(ordered) !== JSON.stringify(model) || JSON.stringify(reordered) !== JSON.stringify(model)) {
          throw new Error(
            `fold property failed: replay with FOLD_SEED=${SEED} (round ${round}, history ${i})\n` +
              `history: ${JSON.stringify(histories[i])}\n` +
              `model:    ${JSON.stringify(model, null, 1)}\n` +
              `in order: ${JSON.stringify(ordered, null, 1)}\n` +
              `shuffled: ${JSON.stringify(reordered, null, 1)}`,
          );
        }
        checked++;
      }
    }
    expect(checked).toBe(ROUNDS * HISTORIES_PER_ROUND);
    console.log(`fold property: ${checked} histories, seed ${SEED}`);
  });
});
