import { ALL_EVENTS, ClaimCheck, ContactVerified, MessageInbound, MessageStored } from '@inviaro/contracts';
import {
  BUS_ROLES,
  BusRole,
  DEAD_LETTER_PREFIX,
  DEAD_LETTER_STREAM,
  durableName,
  EVENT_STREAM,
  INBOUND_STREAM,
  ROLE_NEEDS,
  STREAM_LAYOUT,
  streamOf,
  streamsKeptCurrentBy,
  systemUsers,
} from '@inviaro/bus';
import { inboxPrefix } from '@inviaro/jetstream';
import { busSuite, connectTestNats } from '@inviaro/test-harness';
import { JSONCodec, NatsConnection, nuid } from 'nats';

jest.setTimeout(120_000);

const jc = JSONCodec();
const STORED_TEXT = `stored-${nuid.next()}`;
/** Where that text is stored in INVIARO_EVENTS. */
let storedSeq = 0;

/** One thing a client may try: publish (or ask, or call the JetStream API) on a subject, or subscribe to one. */
interface Probe {
  kind: 'publish' | 'subscribe';
  subject: string;
  /** What the role's row of the table says. */
  allowed: boolean;
}

const subjectsOf = (contracts: ReadonlyArray<{ subject: string }>) => contracts.map((c) => c.subject);
const everyRole = <T>(pick: (role: BusRole) => T[]) => [...new Set(BUS_ROLES.flatMap(pick))];
const deadLetterOf = (subject: string) => `${DEAD_LETTER_PREFIX}.${subject}`;

/**
 * Every subject and JetStream API call a client could try, each marked with whether the role's row
 * of ROLE_NEEDS lets it: read here from the table directly, never from the rendered permissions,
 * so a right that the rendering adds or loses shows. A new role, subject or stream joins by itself.
 */
function probesFor(role: BusRole): Probe[] {
  const needs = ROLE_NEEDS[role];
  const deadLetters = everyRole((r) => subjectsOf(ROLE_NEEDS[r].consumes).map(deadLetterOf));
  const requests = everyRole((r) => subjectsOf([...ROLE_NEEDS[r].asks, ...ROLE_NEEDS[r].answers]));
  const eventSubjects = [...subjectsOf(ALL_EVENTS), ...deadLetters];
  const published = new Set([...subjectsOf(needs.publishes), ...subjectsOf(needs.asks), ...subjectsOf(needs.consumes).map(deadLetterOf)]);
  const answered = new Set(subjectsOf(needs.answers));
  const followed = new Set(subjectsOf(needs.follows));
  const followedStreams = new Set([...followed].map((subject) => streamOf(subject)));
  const ownConsumerStreams = new Set([...followedStreams, ...needs.tails]);
  // Pinned to its values by the test of streamsKeptCurrentBy below.
  const keptCurrent = new Set(streamsKeptCurrentBy(role));
  const publish = (subject: string, allowed: boolean): Probe => ({ kind: 'publish', subject, allowed });
  const subscribe = (subject: string, allowed: boolean): Probe => ({ kind: 'subscribe', subject, allowed });

  const probes: Probe[] = [
    ...[...eventSubjects, ...requests].map((subject) => publish(subject, published.has(subject))),
    ...[...eventSubjects, ...requests].map((subject) => subscribe(subject, answered.has(subject))),
    ...['>', '_INBOX.>', '$JS.>', 'contact.*'].map((subject) => subscribe(subject, false)),
    // Inboxes: each role reads its own only, and replies only into the inboxes of the roles that ask it something it answers.
    ...BUS_ROLES.map((other) => subscribe(`${inboxPrefix(other)}.${nuid.next()}`, other === role)),
    ...BUS_ROLES.map((other) =>
      publish(
        `${inboxPrefix(other)}.${nuid.next()}`,
        ROLE_NEEDS[other].asks.some(({ subject }) => answered.has(subject)),
      ),
    ),
    publish('$JS.API.INFO', true),
    ...['$JS.API.STREAM.LIST', '$JS.API.STREAM.NAMES', '$JS.API.META.LEADER.STEPDOWN', '$JS.API.SERVER.REMOVE', '$JS.API.ACCOUNT.PURGE.APP'].map((subject) =>
      publish(subject, false),
    ),
  ];
  for (const { name: stream } of STREAM_LAYOUT) {
    const stored = eventSubjects.filter((subject) => streamOf(subject) === stream);
    const api = (call: string, allowed: boolean) => probes.push(publish(`$JS.API.${call}`, allowed));
    api(`STREAM.INFO.${stream}`, true);
    api(`STREAM.CREATE.${stream}`, needs.createsStreams);
    api(`STREAM.UPDATE.${stream}`, keptCurrent.has(stream));
    api(`STREAM.MSG.GET.${stream}`, needs.readsStored.includes(stream));
    api(`STREAM.MSG.DELETE.${stream}`, needs.deletesStored.includes(stream));
    api(`CONSUMER.LIST.${stream}`, needs.listsConsumers);
    for (const never of [
      'STREAM.DELETE',
      'STREAM.PURGE',
      'STREAM.SNAPSHOT',
      'STREAM.RESTORE',
      'STREAM.LEADER.STEPDOWN',
      'STREAM.PEER.REMOVE',
      'DIRECT.GET',
      'CONSUMER.NAMES',
      'CONSUMER.CREATE',
    ]) {
      api(`${never}.${stream}`, false);
    }
    api(`CONSUMER.DURABLE.CREATE.${stream}.probe`, false);
    for (const subject of stored) api(`DIRECT.GET.${stream}.${subject}`, false);
    // A consumer of its own: with no filter, or each subject the stream stores as its filter.
    const probe = `probe_${nuid.next()}`;
    api(`CONSUMER.CREATE.${stream}.${probe}`, needs.tails.includes(stream));
    for (const subject of stored) api(`CONSUMER.CREATE.${stream}.${probe}.${subject}`, needs.tails.includes(stream) || followed.has(subject));
    api(`CONSUMER.INFO.${stream}.${probe}`, ownConsumerStreams.has(stream));
    api(`CONSUMER.MSG.NEXT.${stream}.${probe}`, ownConsumerStreams.has(stream));
    api(`CONSUMER.DELETE.${stream}.${probe}`, ownConsumerStreams.has(stream));
    probes.push(publish(`$JS.ACK.${stream}.${probe}.1.1.1.1.1`, followedStreams.has(stream)));
    // The durable consumers: each service's own to create with its filter, read and acknowledge; nobody's to delete.
    for (const owner of BUS_ROLES) {
      for (const subject of subjectsOf(ROLE_NEEDS[owner].consumes).filter((s) => streamOf(s) === stream)) {
        const durable = durableName(owner, subject);
        const own = owner === role;
        api(`CONSUMER.CREATE.${stream}.${durable}.${subject}`, own);
        api(`CONSUMER.CREATE.${stream}.${durable}`, false);
        api(`CONSUMER.INFO.${stream}.${durable}`, own);
        api(`CONSUMER.MSG.NEXT.${stream}.${durable}`, own);
        api(`CONSUMER.DELETE.${stream}.${durable}`, false);
        probes.push(publish(`$JS.ACK.${stream}.${durable}.1.1.1.1.1`, own));
      }
    }
  }
  return probes;
}

/** Resolves with `refused` when the server answers the attempt with a permissions violation; any other outcome is the server letting it through. */
async function verdict(attempt: () => Promise<unknown>): Promise<string> {
  return attempt().then(
    () => 'let through',
    (error: Error & { code?: string }) => (error.code === 'PERMISSIONS_VIOLATION' ? 'refused' : `let through (${error.code ?? error.message})`),
  );
}

/**
 * What the server did with the probe, known by the server's PONG: it handles a client's messages in
 * order, so a refusal (`-ERR 'Permissions Violation …'`, which rejects the request it names, or ends
 * the subscription) arrives before the PONG of the flush that follows it. A probe still unrefused then
 * was let through, whether or not anything answers it (a pull on a consumer that does not exist never does).
 */
async function attempt(nc: NatsConnection, probe: Probe): Promise<'refused' | 'let through'> {
  let refused = false;
  const subscription =
    probe.kind === 'subscribe'
      ? nc.subscribe(probe.subject, { callback: (error) => (refused ||= error?.message.includes('Permissions Violation') ?? false) })
      : undefined;
  // An empty object: where the server lets the call through, it answers an API call with an error (nothing changes) or stores a harmless event.
  if (probe.kind === 'publish')
    nc.request(probe.subject, jc.encode({}), { timeout: 1_000 }).catch(
      (error: Error & { code?: string }) => (refused ||= error.code === 'PERMISSIONS_VIOLATION'),
    );
  await nc.flush();
  // A refusal travels a few promise hops inside the client after the -ERR is read: let them all settle.
  await new Promise(setImmediate);
  subscription?.unsubscribe();
  return refused ? 'refused' : 'let through';
}

describe('every NATS user holds exactly its role’s rights (issue 21)', () => {
  const connections: NatsConnection[] = [];
  // Before the suite's server stops (hooks run in the order declared), with each probe's pending request.
  afterAll(() => Promise.all(connections.map((nc) => nc.close())));
  const bus = busSuite();
  const connectAs = async (role: BusRole) => {
    const nc = await connectTestNats(bus.server.url, {}, role);
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    storedSeq = (await bus.nc.jetstream().publish(MessageStored.subject, jc.encode({ data: { text: STORED_TEXT } }))).seq;
    await bus.nc.jetstream().publish(MessageInbound.subject, jc.encode({ data: { sealed_claim: 'sealed' } }));
  });

  it.each(BUS_ROLES)('%s: the server refuses every subject and JetStream call outside its row of the table, and lets through every one in it', async (role) => {
    const nc = await connectAs(role);
    const probes = probesFor(role);
    const wrong: string[] = [];
    for (const probe of probes) {
      const outcome = await attempt(nc, probe);
      if ((outcome === 'refused') === probe.allowed)
        wrong.push(`${probe.kind} ${probe.subject}: ${outcome}, the table says ${probe.allowed ? 'allowed' : 'refused'}`);
    }
    expect(wrong).toEqual([]);
    // Both sides were tried: a role's table that allowed or refused everything would show here.
    expect(probes.filter((p) => p.allowed).length).toBeGreaterThan(3);
    expect(probes.filter((p) => !p.allowed).length).toBeGreaterThan(50);
  });

  it('refuses the verifier what the issue found: reading a stored event of INVIARO_EVENTS, purging it, publishing message.inbound', async () => {
    const verifier = await connectAs('verifier');
    const jsm = await verifier.jetstreamManager();
    const stream = streamOf(MessageStored.subject);
    expect({
      'stream message get': await verdict(() => jsm.streams.getMessage(stream, { last_by_subj: MessageStored.subject })),
      'direct get': await verdict(() =>
        verifier.request(`$JS.API.DIRECT.GET.${stream}`, jc.encode({ last_by_subj: MessageStored.subject }), { timeout: 2_000 }),
      ),
      purge: await verdict(() => jsm.streams.purge(EVENT_STREAM, { filter: MessageStored.subject })),
      'publish message.inbound': await verdict(() => verifier.jetstream().publish(MessageInbound.subject, jc.encode({}))),
      // A stream it may change could republish what it may not read.
      'republish INVIARO_EVENTS into its inbox': await verdict(async () => {
        const { config } = await jsm.streams.info(EVENT_STREAM);
        return jsm.streams.update(EVENT_STREAM, { ...config, republish: { src: '>', dest: `${inboxPrefix('verifier')}.copy.>` } });
      }),
    }).toEqual({
      'stream message get': 'refused',
      'direct get': 'refused',
      purge: 'refused',
      'publish message.inbound': 'refused',
      'republish INVIARO_EVENTS into its inbox': 'refused',
    });
    expect((await (await bus.nc.jetstreamManager()).streams.getMessage(stream, { seq: storedSeq })).json()).toEqual({ data: { text: STORED_TEXT } });
  });

  it('refuses the operator the sealed claims of INVIARO_INBOUND, any consumer there, other roles’ events, and changing a stream', async () => {
    const operator = await connectAs('operator');
    const jsm = await operator.jetstreamManager();
    expect({
      'stream message get': await verdict(() => jsm.streams.getMessage(INBOUND_STREAM, { last_by_subj: MessageInbound.subject })),
      'a consumer of message.inbound': await verdict(() =>
        operator.request(
          `$JS.API.CONSUMER.CREATE.${INBOUND_STREAM}.probe.${MessageInbound.subject}`,
          jc.encode({ stream_name: INBOUND_STREAM, config: { name: 'probe', filter_subject: MessageInbound.subject } }),
          { timeout: 2_000 },
        ),
      ),
      'publish message.stored': await verdict(() => operator.jetstream().publish(MessageStored.subject, jc.encode({}))),
      'create a stream': await verdict(() => operator.request(`$JS.API.STREAM.CREATE.${INBOUND_STREAM}`, jc.encode({}), { timeout: 2_000 })),
      'contacts’ durable': await verdict(() =>
        operator.request(`$JS.API.CONSUMER.MSG.NEXT.${EVENT_STREAM}.${durableName('contacts', ContactVerified.subject)}`, jc.encode({ batch: 1 }), {
          timeout: 2_000,
        }),
      ),
    }).toEqual({
      'stream message get': 'refused',
      'a consumer of message.inbound': 'refused',
      'publish message.stored': 'refused',
      'create a stream': 'refused',
      'contacts’ durable': 'refused',
    });
  });

  it('lets no role but the verifier subscribe to verifier.claim.check, and the verifier answer only the gateway', async () => {
    for (const role of BUS_ROLES) {
      const nc = await connectAs(role);
      const refused: string[] = [];
      nc.subscribe(ClaimCheck.subject, { callback: (error) => error && refused.push(error.message) });
      await nc.flush();
      expect({ role, refused }).toEqual({
        role,
        refused: role === 'verifier' ? [] : [expect.stringMatching(/Permissions Violation for Subscription to "verifier\.claim\.check"/)],
      });
    }
    expect(ROLE_NEEDS.gateway.asks).toContain(ClaimCheck);
    expect(BUS_ROLES.filter((role) => ROLE_NEEDS[role].answers.includes(ClaimCheck))).toEqual(['verifier']);
  });

  it('keeps each stream’s configuration with the services that read it: contacts not INVIARO_INBOUND, the verifier not INVIARO_EVENTS, no one else any', () => {
    expect(Object.fromEntries(BUS_ROLES.map((role) => [role, streamsKeptCurrentBy(role)]))).toEqual({
      gateway: [],
      verifier: [INBOUND_STREAM, DEAD_LETTER_STREAM],
      contacts: [EVENT_STREAM, DEAD_LETTER_STREAM],
      operator: [],
    });
  });

  it('renders no user without permissions: the all-rights user is the test harness’s own, never one of the system’s', () => {
    const users = systemUsers(() => 'password');
    expect(users.map((u) => u.user)).toEqual([...BUS_ROLES]);
    for (const user of users)
      expect({ user: user.user, limited: Boolean(user.permissions?.publish.allow.length && user.permissions.subscribe.allow.length) }).toEqual({
        user: user.user,
        limited: true,
      });
  });
});
