import { ContactAnonymous, ContactVerified, deterministicId, encodeEvent, EventEnvelope, SignedAttribute } from '@inviaro/contracts';
import { EVENT_STREAM } from '@inviaro/bus';
import { connectTestNats, nth, RunningSystem } from '@inviaro/test-harness';
import { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';

/** mulberry32: a small seeded PRNG, so that a failing run can be replayed from its seed. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const chance = (p: number) => next() < p;
  const pick = <T>(items: readonly T[]): T => nth(items, Math.floor(next() * items.length));
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [nth(copy, j), nth(copy, i)];
    }
    return copy;
  };
  return { next, int, chance, pick, shuffle };
}
export type Random = ReturnType<typeof seeded>;

/** A workspace with one widget and `visitors` visitors, written straight into the database (the gateway is not running). */
export async function seedWorkspace(system: RunningSystem, visitors: number): Promise<{ workspaceId: string; widgetId: string; visitorIds: string[] }> {
  const workspaceId = randomUUID();
  const widgetId = randomUUID();
  await system.sql(`INSERT INTO workspaces (id, name) VALUES ($1, 'fold property')`, [workspaceId]);
  await system.sql(`INSERT INTO widgets (id, workspace_id, key, name, allowed_origins) VALUES ($1, $2, $3, 'w', '{}')`, [
    widgetId,
    workspaceId,
    `wt_${randomUUID()}`,
  ]);
  return { workspaceId, widgetId, visitorIds: await seedVisitors(system, widgetId, visitors) };
}

/** `count` visitors of a widget, written straight into the database. */
export async function seedVisitors(system: RunningSystem, widgetId: string, count: number): Promise<string[]> {
  const visitorIds = Array.from({ length: count }, () => randomUUID());
  // A token hash only has to be unique here: the visitor's own id, as bytes.
  await system.sql(`INSERT INTO visitors (id, widget_id, token_hash) SELECT id, $2, uuid_send(id) FROM unnest($1::uuid[]) AS id`, [visitorIds, widgetId]);
  return visitorIds;
}

export interface WidgetEvent {
  kind: 'message' | 'identify';
  message_id: string;
  workspace_id: string;
  widget_id: string;
  visitor_id: string;
  received_at: string;
  text?: string;
  email?: string;
  name?: string;
  /** Set: contact.verified as this user; absent: contact.anonymous. */
  user_id?: string;
  /** contact.verified only: which of email and name came signed in a user_jwt. */
  signed_attributes?: SignedAttribute[];
}

/** The envelope the verifier would publish for this event (libs/contracts), with its deterministic id. */
export function envelopeOf(event: WidgetEvent): EventEnvelope<object> {
  const contract = event.user_id === undefined ? ContactAnonymous : ContactVerified;
  const { user_id, signed_attributes, ...fields } = event;
  const data =
    user_id === undefined
      ? { ...fields, failure_reason: 'mismatch', claimed_user_id: 'someone' }
      : { ...fields, user_id, secret_version: 1, ...(signed_attributes ? { signed_attributes } : {}) };
  return {
    id: deterministicId(contract.subject, event.message_id),
    subject: contract.subject,
    schema_version: contract.schemaVersion,
    correlation_id: event.message_id,
    occurred_at: new Date().toISOString(),
    data,
  };
}

/** Publishes straight to JetStream as the EventPublisher does; `copy` > 0 gives a redelivery its own de-dup id so the stream keeps it. */
export class EventFeed {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  static async open(natsUrl: string): Promise<EventFeed> {
    const nc = await connectTestNats(natsUrl);
    return new EventFeed(nc, nc.jetstream(), await nc.jetstreamManager());
  }

  async publish(event: WidgetEvent, copy = 0): Promise<void> {
    const envelope = envelopeOf(event);
    await this.js.publish(envelope.subject, encodeEvent(envelope), { msgID: copy === 0 ? envelope.id : `${envelope.id}:copy${copy}` });
  }

  /** Until the contacts service has acknowledged everything published (nothing pending, nothing in hand). */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(['contacts_contact_verified', 'contacts_contact_anonymous'].map((name) => this.jsm.consumers.info(EVENT_STREAM, name)));
      if (infos.every((info) => info.num_pending === 0 && info.num_ack_pending === 0)) return;
      if (Date.now() > deadline) throw new Error(`contacts did not drain: ${JSON.stringify(infos.map((i) => [i.name, i.num_pending, i.num_ack_pending]))}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
