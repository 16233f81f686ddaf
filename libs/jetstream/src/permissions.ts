import {
  ClaimCheck,
  ContactAnonymous,
  ContactFolded,
  ContactsHistory,
  ContactVerified,
  GetContact,
  ListContacts,
  MessageInbound,
  MessageStored,
  Reply,
  VisitorLoggedOut,
  WidgetSecretRotated,
} from '@inviaro/contracts';
import { DEAD_LETTER_PREFIX, EVENT_STREAM, STREAM_LAYOUT, StreamLayout, streamOf } from './topology';

/** The NATS users of the system: one per service, and the operator's (the CLI). */
export const BUS_ROLES = ['gateway', 'verifier', 'contacts', 'operator'] as const;
export type BusRole = (typeof BUS_ROLES)[number];

type Subjects = ReadonlyArray<{ subject: string }>;

/** What a role does on the bus; every permission below is derived from this table and the stream topology. */
interface RoleNeeds {
  publishes: Subjects;
  asks: Subjects;
  /** Request subjects it answers, as a queue group of its instances. */
  answers: Subjects;
  /** Subjects it reads on durable consumers shared by its instances (and dead-letters). */
  consumes: Subjects;
  /** Subjects each instance reads on a consumer of its own (ephemeral or ordered, named by the client). */
  follows: Subjects;
  /** May change the configuration of an existing stream (everyone may create a missing one). */
  updatesStreams: boolean;
  /** JetStream API calls beyond what the table derives, each with its reason. */
  alsoAllowed?: string[];
}

const NEEDS: Record<Exclude<BusRole, 'operator'>, RoleNeeds> = {
  // Internet-facing: publishes and asks, reads only what it routes to open widgets, changes no stream.
  gateway: {
    publishes: [MessageInbound, WidgetSecretRotated, VisitorLoggedOut],
    asks: [ClaimCheck, ContactsHistory, ListContacts, GetContact, Reply],
    answers: [],
    consumes: [],
    follows: [MessageStored, WidgetSecretRotated, VisitorLoggedOut],
    updatesStreams: false,
  },
  verifier: {
    publishes: [ContactVerified, ContactAnonymous],
    asks: [],
    answers: [ClaimCheck],
    consumes: [MessageInbound],
    follows: [],
    updatesStreams: true,
    // The one-time upgrade from message.inbound in INVIARO_EVENTS (apps/verifier/src/legacy-inbound.ts):
    // read what the old consumer left, publish it again (sealed) into its own stream, drop that consumer, purge the old events.
    alsoAllowed: [
      MessageInbound.subject,
      `$JS.API.CONSUMER.INFO.${EVENT_STREAM}.${durableName('verifier', MessageInbound.subject)}`,
      `$JS.API.CONSUMER.DELETE.${EVENT_STREAM}.${durableName('verifier', MessageInbound.subject)}`,
      `$JS.API.STREAM.MSG.GET.${EVENT_STREAM}`,
      `$JS.API.STREAM.PURGE.${EVENT_STREAM}`,
    ],
  },
  contacts: {
    publishes: [MessageStored, ContactFolded],
    asks: [],
    answers: [ContactsHistory, ListContacts, GetContact, Reply],
    consumes: [ContactVerified, ContactAnonymous],
    follows: [],
    updatesStreams: true,
  },
};

export interface NatsPermissions {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[] };
}

/** The durable consumer a service's instances share for one subject. */
export function durableName(service: string, subject: string): string {
  return `${service}_${subject.replace(/[.*>]/g, '_')}`;
}

/** Each role's replies and consumer deliveries arrive under its own prefix, so no other user can subscribe to them. */
export function inboxPrefix(role: BusRole): string {
  return `_INBOX.${role}`;
}

/** Whether this NATS user may change existing streams: every service's own user says; no user (a server without authentication) may. */
export function mayUpdateStreams(user: string | undefined): boolean {
  return user === undefined || (NEEDS as Partial<Record<string, RoleNeeds>>)[user]?.updatesStreams === true;
}

/** The user rights of one role, derived from what it does and where the topology stores each subject. */
export function natsPermissions(role: BusRole, streams: readonly StreamLayout[] = STREAM_LAYOUT): NatsPermissions {
  const names = streams.map((s) => s.name);
  const common = ['$JS.API.INFO', ...names.flatMap((s) => [`$JS.API.STREAM.INFO.${s}`, `$JS.API.STREAM.CREATE.${s}`])];
  if (role === 'operator') return operatorPermissions(streams, common);

  const needs = NEEDS[role];
  const durable = needs.consumes.flatMap(({ subject }) => {
    const stream = streamOf(subject, streams);
    const name = durableName(role, subject);
    return [`$JS.API.CONSUMER.CREATE.${stream}.${name}.${subject}`, ...consumerUse(stream, name), `${DEAD_LETTER_PREFIX}.${subject}`];
  });
  // The client names these consumers itself (an ordered consumer a new name on every reset), so only the filter is fixed.
  const followed = needs.follows.map(({ subject }) => ({ stream: streamOf(subject, streams), subject }));
  const followedStreams = [...new Set(followed.map((f) => f.stream))];
  return {
    publish: {
      allow: [
        ...common,
        ...(needs.updatesStreams ? names.map((s) => `$JS.API.STREAM.UPDATE.${s}`) : []),
        ...subjectsOf(needs.publishes),
        ...subjectsOf(needs.asks),
        ...durable,
        ...followed.map(({ stream, subject }) => `$JS.API.CONSUMER.CREATE.${stream}.*.${subject}`),
        ...followedStreams.flatMap((stream) => [...consumerUse(stream, '*'), `$JS.API.CONSUMER.DELETE.${stream}.*`]),
        ...(needs.alsoAllowed ?? []),
        ...askersInboxes(needs.answers),
      ],
      deny: othersDurables(role, followedStreams, streams),
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
  return (Object.entries(NEEDS) as Array<[BusRole, RoleNeeds]>)
    .filter(([, needs]) => needs.asks.some(({ subject }) => answered.has(subject)))
    .map(([asker]) => `${inboxPrefix(asker)}.>`);
}

/** The operator (the CLI): reads every stream and its consumers, tails, re-drives dead letters; never takes a service's messages. */
function operatorPermissions(streams: readonly StreamLayout[], common: string[]): NatsPermissions {
  const names = streams.map((s) => s.name);
  const deadLetters = streamOf(`${DEAD_LETTER_PREFIX}.any`, streams);
  return {
    publish: {
      allow: [
        ...common,
        ...names.flatMap((s) => [`$JS.API.STREAM.MSG.GET.${s}`, `$JS.API.CONSUMER.LIST.${s}`, `$JS.API.CONSUMER.NAMES.${s}`, `$JS.API.CONSUMER.CREATE.${s}.>`]),
        ...names.flatMap((s) => [...consumerUse(s, '*'), `$JS.API.CONSUMER.DELETE.${s}.*`]),
        `$JS.API.STREAM.MSG.DELETE.${deadLetters}`,
        // Re-driving publishes a dead-lettered event again on its own subject.
        ...streams.filter((s) => s.name !== deadLetters).flatMap((s) => s.subjects),
      ],
      deny: othersDurables('operator', names, streams),
    },
    subscribe: { allow: [`${inboxPrefix('operator')}.>`] },
  };
}

/** Reading (and acknowledging) on a consumer: its info, its next messages, its acknowledgements. */
function consumerUse(stream: string, name: string): string[] {
  return [`$JS.API.CONSUMER.INFO.${stream}.${name}`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`, `$JS.ACK.${stream}.${name}.>`];
}

/** Another service's durable consumers on the streams where this role names consumers freely: never its to pull, ack, change or delete. */
function othersDurables(role: BusRole, onStreams: string[], streams: readonly StreamLayout[]): string[] {
  return Object.entries(NEEDS)
    .filter(([service]) => service !== role)
    .flatMap(([service, needs]) => needs.consumes.map(({ subject }) => ({ stream: streamOf(subject, streams), name: durableName(service, subject) })))
    .filter(({ stream }) => onStreams.includes(stream))
    .flatMap(({ stream, name }) => [...consumerUse(stream, name), `$JS.API.CONSUMER.DELETE.${stream}.${name}`, `$JS.API.CONSUMER.CREATE.${stream}.${name}.>`]);
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
    const rights = [`publish: { allow: ${list(publish.allow)}${publish.deny?.length ? `, deny: ${list(publish.deny)}` : ''} }`, `subscribe: { allow: ${list(subscribe.allow)} }`];
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
  const header = '# Generated from libs/jetstream/src/permissions.ts: node dist/scripts/nats-config.js > docker/nats.conf\n';
  return header + renderAuthorization(systemUsers((role) => `$${passwordVariable(role)}`));
}
