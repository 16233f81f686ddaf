import {
  ClaimCheck,
  DiagnoseClaim,
  ContactAnonymous,
  ContactErased,
  ContactFolded,
  ContactsHistory,
  ContactVerified,
  EraseContact,
  ExportContact,
  GetContact,
  ListConversationMessages,
  MessageLandings,
  ListContacts,
  MessageInbound,
  MessageStored,
  Reply,
  VisitorLoggedOut,
  WidgetContacts,
  WidgetSecretRotated,
} from '@inviaro/contracts';
import { inboxPrefix } from '@inviaro/jetstream';
import { durableName } from './consumer-names';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM, STREAM_LAYOUT, StreamLayout, streamOf } from './topology';

/** The NATS users of the system: one per service, and the operator's (the CLI). */
export const BUS_ROLES = ['gateway', 'verifier', 'contacts', 'operator'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

type Subjects = ReadonlyArray<{ subject: string }>;

/** What a role does on the bus; every permission below is derived from this table and the stream topology, and nothing else. */
export interface RoleNeeds {
  publishes: Subjects;
  asks: Subjects;
  /** Request subjects it answers, as a queue group of its instances. */
  answers: Subjects;
  /** Subjects it reads on durable consumers shared by its instances (and dead-letters); it keeps the configuration of their streams current. */
  consumes: Subjects;
  /** Subjects each instance reads on a consumer of its own (ephemeral or ordered, named by the client, acknowledged). */
  follows: Subjects;
  /** Streams whose every subject it reads on ordered consumers it names itself, with any filter or none (`events tail`): no acknowledgements. */
  tails: readonly string[];
  /** May create a missing stream, so that the services start in any order. */
  createsStreams: boolean;
  /** Lists every stream's consumers (`events status`); every role may read every stream's info. */
  listsConsumers: boolean;
  /** Streams whose stored messages it reads by sequence (never a direct get): dead letters and their originals. */
  readsStored: readonly string[];
  /** Streams it removes single messages from: a dead letter once re-driven; an erased user's events (docs/security.md#erasure). */
  deletesStored: readonly string[];
}

/** What every service does alike: creates a missing stream, and no operator's chore. */
const EVERY_SERVICE: Pick<RoleNeeds, 'tails' | 'createsStreams' | 'listsConsumers' | 'readsStored' | 'deletesStored'> = {
  tails: [],
  createsStreams: true,
  listsConsumers: false,
  readsStored: [],
  deletesStored: [],
};

const SERVICE_NEEDS = {
  // Internet-facing: publishes and asks, reads only what it routes to open widgets, changes no stream.
  gateway: {
    ...EVERY_SERVICE,
    publishes: [MessageInbound, WidgetSecretRotated, VisitorLoggedOut],
    asks: [
      ClaimCheck,
      DiagnoseClaim,
      ContactsHistory,
      ListContacts,
      GetContact,
      ListConversationMessages,
      MessageLandings,
      Reply,
      EraseContact,
      ExportContact,
      WidgetContacts,
    ],
    answers: [],
    consumes: [],
    follows: [MessageStored, WidgetSecretRotated, VisitorLoggedOut, ContactErased],
  },
  verifier: {
    ...EVERY_SERVICE,
    publishes: [ContactVerified, ContactAnonymous],
    asks: [],
    answers: [ClaimCheck, DiagnoseClaim],
    consumes: [MessageInbound],
    follows: [],
  },
  // Erasure removes an erased user's events from every stream's retention: it reads the two it may put
  // consumers on (ordered, no acknowledgements), the work queue (no second consumer allowed) by sequence.
  contacts: {
    ...EVERY_SERVICE,
    publishes: [MessageStored, ContactFolded, ContactErased],
    asks: [],
    answers: [ContactsHistory, ListContacts, GetContact, ListConversationMessages, MessageLandings, Reply, EraseContact, ExportContact, WidgetContacts],
    consumes: [ContactVerified, ContactAnonymous],
    follows: [],
    tails: [EVENT_STREAM, DEAD_LETTER_STREAM],
    readsStored: [INBOUND_STREAM],
    deletesStored: [EVENT_STREAM, INBOUND_STREAM, DEAD_LETTER_STREAM],
  },
} satisfies Record<Exclude<BusRole, 'operator'>, RoleNeeds>;

/** What each role does on the bus: the one table the NATS users' rights come from. */
export const ROLE_NEEDS: Readonly<Record<BusRole, RoleNeeds>> = {
  ...SERVICE_NEEDS,
  // The CLI: `events status` (stream info, consumer lists), `events tail` (INVIARO_EVENTS), `events dead-letters`
  // (reads them and their originals, re-drives each to the subject it failed on, removes the re-driven letter).
  // It takes no service's messages and changes no stream.
  operator: {
    publishes: Object.values(SERVICE_NEEDS).flatMap((needs): Subjects => needs.consumes),
    asks: [],
    answers: [],
    consumes: [],
    follows: [],
    tails: [EVENT_STREAM],
    createsStreams: false,
    listsConsumers: true,
    readsStored: [EVENT_STREAM, DEAD_LETTER_STREAM],
    deletesStored: [DEAD_LETTER_STREAM],
  },
};

export interface NatsPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[] };
}

/**
 * The streams whose configuration a role keeps current: those it reads on its durable consumers and
 * those its dead letters go to. No other: a stream its user may change could republish or mirror what
 * that user may not read.
 */
export function streamsKeptCurrentBy(role: BusRole, streams: readonly StreamLayout[] = STREAM_LAYOUT): string[] {
  return unique(ROLE_NEEDS[role].consumes.flatMap(({ subject }) => [streamOf(subject, streams), streamOf(`${DEAD_LETTER_PREFIX}.${subject}`, streams)]));
}

/** The streams this NATS user brings up to date at start: its role's; every one on a server without users. */
export function streamsToUpdate(user: string | undefined): string[] {
  if (user === undefined) return STREAM_LAYOUT.map((s) => s.name);
  return (BUS_ROLES as readonly string[]).includes(user) ? streamsKeptCurrentBy(user as BusRole) : [];
}

/**
 * The user rights of one role, derived from what it does and where the topology stores each subject:
 * each right names its stream and, where the API subject carries them, its consumer and filter; no
 * `$JS.API.>`, no direct get, no purge or stream delete for anyone.
 */
export function natsPermissions(role: BusRole, streams: readonly StreamLayout[] = STREAM_LAYOUT): NatsPermissions {
  const needs = ROLE_NEEDS[role];
  const names = streams.map((s) => s.name);
  const durable = needs.consumes.flatMap(({ subject }) => {
    const stream = streamOf(subject, streams);
    const name = durableName(role, subject);
    return [
      `$JS.API.CONSUMER.CREATE.${stream}.${name}.${subject}`,
      ...consumerReading(stream, name),
      consumerAcks(stream, name),
      `${DEAD_LETTER_PREFIX}.${subject}`,
    ];
  });
  // The client names these consumers itself (an ordered consumer a new name on every reset), so only the filter is fixed.
  const followed = needs.follows.map(({ subject }) => ({ stream: streamOf(subject, streams), subject }));
  const followedStreams = unique(followed.map((f) => f.stream));
  // A tail may name a filter (`contact.*`) or none: any consumer of the stream, never another role's durable (denied below).
  const tailed = needs.tails.flatMap((stream) => [`$JS.API.CONSUMER.CREATE.${stream}.*`, `$JS.API.CONSUMER.CREATE.${stream}.*.>`]);
  const ownConsumerStreams = unique([...followedStreams, ...needs.tails]);
  return {
    publish: {
      allow: [
        '$JS.API.INFO',
        ...names.map((s) => `$JS.API.STREAM.INFO.${s}`),
        ...(needs.createsStreams ? names.map((s) => `$JS.API.STREAM.CREATE.${s}`) : []),
        ...streamsKeptCurrentBy(role, streams).map((s) => `$JS.API.STREAM.UPDATE.${s}`),
        ...(needs.listsConsumers ? names.map((s) => `$JS.API.CONSUMER.LIST.${s}`) : []),
        ...needs.readsStored.map((s) => `$JS.API.STREAM.MSG.GET.${s}`),
        ...needs.deletesStored.map((s) => `$JS.API.STREAM.MSG.DELETE.${s}`),
        ...subjectsOf(needs.publishes),
        ...subjectsOf(needs.asks),
        ...durable,
        ...followed.map(({ stream, subject }) => `$JS.API.CONSUMER.CREATE.${stream}.*.${subject}`),
        ...tailed,
        ...ownConsumerStreams.flatMap((stream) => [...consumerReading(stream, '*'), `$JS.API.CONSUMER.DELETE.${stream}.*`]),
        // The followers acknowledge (the gateway's broadcast handlers); a tail's ordered consumer does not.
        ...followedStreams.map((stream) => consumerAcks(stream, '*')),
        ...askersInboxes(needs.answers),
      ],
      deny: [...othersDurables(role, ownConsumerStreams, streams), ...ownDurablesUnfiltered(role, needs.tails, streams)],
    },
    subscribe: { allow: [`${inboxPrefix(role)}.>`, ...subjectsOf(needs.answers)] },
  };
}

/**
 * Where a responder's replies go: the inboxes of the roles that ask what it answers. Not
 * `allow_responses`: with it nats-server 2.9 records the reply subject of every message delivered
 * to the responder (each JetStream delivery's ack subject too) for two minutes, and past 4,096 of
 * them walks the whole record on every delivery, a full core at 1,000 deliveries a second (see
 * docs/benchmarks/capacity.md). A reply still reaches only the request it answers: each one's inbox
 * ends in a random token of the asker's.
 */
function askersInboxes(answers: Subjects): string[] {
  const answered = new Set(subjectsOf(answers));
  return BUS_ROLES.filter((asker) => ROLE_NEEDS[asker].asks.some(({ subject }) => answered.has(subject))).map((asker) => `${inboxPrefix(asker)}.>`);
}

/** Reading on a consumer: its info and its next messages. */
function consumerReading(stream: string, name: string): string[] {
  return [`$JS.API.CONSUMER.INFO.${stream}.${name}`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`];
}

/** Acknowledging what a consumer delivered. */
function consumerAcks(stream: string, name: string): string {
  return `$JS.ACK.${stream}.${name}.>`;
}

/** Another role's durable consumers on the streams where this role names consumers freely: never its to pull, ack, change or delete. */
function othersDurables(role: BusRole, onStreams: string[], streams: readonly StreamLayout[]): string[] {
  return BUS_ROLES.filter((other) => other !== role)
    .flatMap((other) => ROLE_NEEDS[other].consumes.map(({ subject }) => ({ stream: streamOf(subject, streams), name: durableName(other, subject) })))
    .filter(({ stream }) => onStreams.includes(stream))
    .flatMap(({ stream, name }) => [
      ...consumerReading(stream, name),
      consumerAcks(stream, name),
      `$JS.API.CONSUMER.DELETE.${stream}.${name}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${name}`,
      `$JS.API.CONSUMER.CREATE.${stream}.${name}.>`,
    ]);
}

/**
 * A role that tails a stream it also has durables on may name consumers there freely, but its durables
 * only with their filter (as `durable` above allows): never re-created without it, nor deleted.
 */
function ownDurablesUnfiltered(role: BusRole, tailed: readonly string[], streams: readonly StreamLayout[]): string[] {
  return ROLE_NEEDS[role].consumes
    .map(({ subject }) => ({ stream: streamOf(subject, streams), name: durableName(role, subject) }))
    .filter(({ stream }) => tailed.includes(stream))
    .flatMap(({ stream, name }) => [`$JS.API.CONSUMER.CREATE.${stream}.${name}`, `$JS.API.CONSUMER.DELETE.${stream}.${name}`]);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function subjectsOf(contracts: Subjects): string[] {
  return contracts.map((c) => c.subject);
}

export interface NatsUser {
  user: string;
  /** The password itself, or `$VARIABLE` for nats-server to read from its environment. */
  password: string;
  /** Omitted: every right (a test harness's own user, never a service's). */
  permissions?: NatsPermissions;
}

/** The server's `authorization` block for these users (nats-server configuration syntax). */
export function renderAuthorization(users: NatsUser[]): string {
  const q = (value: string) => JSON.stringify(value);
  const list = (values: string[]) => `[${values.map(q).join(', ')}]`;
  const lines = users.map(({ user, password, permissions }) => {
    const pass = password.startsWith('$') ? password : q(password);
    if (!permissions) return `    { user: ${q(user)}, password: ${pass} }`;
    const { publish, subscribe } = permissions;
    const rights = [
      `publish: { allow: ${list(publish.allow)}${publish.deny?.length ? `, deny: ${list(publish.deny)}` : ''} }`,
      `subscribe: { allow: ${list(subscribe.allow)} }`,
    ];
    return `    { user: ${q(user)}, password: ${pass}, permissions: {\n        ${rights.join(',\n        ')}\n    } }`;
  });
  return `authorization {\n  users: [\n${lines.join('\n')}\n  ]\n}\n`;
}

/** The service users of the system with their rights, each with the given password (or `$VARIABLE`). */
export function systemUsers(password: (role: BusRole) => string): NatsUser[] {
  return BUS_ROLES.map((role) => ({ user: role, password: password(role), permissions: natsPermissions(role) }));
}

/** The environment variable that carries a role's password to nats-server and to the role's processes (compose). */
export function passwordVariable(role: BusRole): string {
  return `NATS_${role.toUpperCase()}_PASSWORD`;
}

/** docker/nats.conf: the users and their rights, each password read by nats-server from its environment. */
export function environmentAuthorization(): string {
  const header = '# Generated from libs/bus/src/permissions.ts: node dist/scripts/nats-config.js > docker/nats.conf\n';
  return header + renderAuthorization(systemUsers((role) => `$${passwordVariable(role)}`));
}
