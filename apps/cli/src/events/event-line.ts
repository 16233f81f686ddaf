import {
  ALL_EVENTS,
  ContactAnonymous,
  ContactAnonymousData,
  ContactErased,
  ContactFolded,
  ContactFoldedData,
  ContactVerified,
  ContactVerifiedData,
  decodeEvent,
  EventContract,
  EventEnvelope,
  EventSubject,
  MessageInbound,
  MessageInboundData,
  MessageStored,
  MessageStoredData,
  VisitorLoggedOut,
  WidgetSecretRotated,
  WidgetSecretRotatedData,
} from '@inviaro/contracts';
import { isHexDigest } from '@inviaro/crypto';
import { jsonLine, printable, tokenValue } from './text';

export type EventOutcome = 'received' | 'verified' | 'anonymous' | 'folded' | 'stored' | 'rotated' | 'logged_out' | 'erased' | 'unreadable';

/**
 * What `events tail` shows of one event: an allow-list of fields, never the payload. Absent
 * fields are left out. No field can hold a user hash, a secret, a token or a message's text.
 */
export interface EventLine {
  /** When the stream stored it (what --since selects on). */
  time: string;
  /** Its sequence in INVIARO_EVENTS (what a dead letter names). */
  seq: number;
  subject: string;
  outcome: EventOutcome;
  /** message.inbound: message or identify. */
  kind?: string;
  workspace_id?: string;
  widget_id?: string;
  visitor_id?: string;
  /** The verified user (contact.verified, contact.folded, message.stored of a verified contact). */
  user_id?: string;
  contact_id?: string;
  conversation_id?: string;
  from_contact_id?: string;
  into_contact_id?: string;
  /** message.inbound: whether a claim came with it (its hash is never shown). */
  claim_present?: boolean;
  /** The user id a claim named, verified or not (message.inbound, contact.anonymous). */
  claimed_user_id?: string;
  /** contact.anonymous: why the claim failed; absent when there was no claim. */
  failure_reason?: string;
  /** message.stored: visitor or operator. */
  author?: string;
  /** contact.verified: the secret version it verified under; widget.secret.rotated: the version now current. */
  secret_version?: number;
  correlation_id?: string;
  event_id?: string;
  occurred_at?: string;
  /** outcome "unreadable": what is wrong with it (never its bytes). */
  problem?: string;
}

/** The outcome each subject stands for (every event of ALL_EVENTS must have one). */
const OUTCOMES: Record<EventSubject, EventOutcome> = {
  [MessageInbound.subject]: 'received',
  [ContactVerified.subject]: 'verified',
  [ContactAnonymous.subject]: 'anonymous',
  [ContactFolded.subject]: 'folded',
  [MessageStored.subject]: 'stored',
  [WidgetSecretRotated.subject]: 'rotated',
  [VisitorLoggedOut.subject]: 'logged_out',
  [ContactErased.subject]: 'erased',
};

/**
 * The fields a line may show, as the events name them (every event's data is validated by its contract
 * first). Everything else (hashes, message text) is never read.
 */
type ShownFields = Partial<
  Pick<MessageInboundData, 'kind' | 'workspace_id' | 'widget_id' | 'visitor_id'> &
    Pick<ContactVerifiedData, 'user_id' | 'secret_version'> &
    Pick<ContactAnonymousData, 'failure_reason' | 'claimed_user_id'> &
    Pick<ContactFoldedData, 'from_contact_id' | 'into_contact_id'> &
    Pick<MessageStoredData, 'contact_id' | 'conversation_id' | 'author'> &
    Pick<WidgetSecretRotatedData, 'secret_version'>
>;

const CONTRACTS: Record<string, EventContract<object>> = Object.fromEntries(ALL_EVENTS.map((c) => [c.subject, c as EventContract<object>]));

/** Every subject `tail` knows how to show. */
export const KNOWN_SUBJECTS = Object.keys(CONTRACTS);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A user id as text an operator may see: terminal-safe, clipped, and withheld when it looks like a
 * SHA-256 hex digest (a customer who swapped user_id and user_hash would otherwise have us print the hash).
 */
export function shownUserId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value === '') return undefined;
  if (isHexDigest(value)) return '[withheld: looks like a user hash]';
  return printable(value, 255);
}

/** Builds the line for one stored event from its subject and bytes; never throws. */
export function describeEvent(subject: string, payload: Uint8Array, storedAt: Date, seq: number): EventLine {
  const base = { time: storedAt.toISOString(), seq, subject: printable(subject, 200) };
  const contract = CONTRACTS[subject];
  if (!contract) return { ...base, outcome: 'unreadable', problem: `unknown subject (${payload.length} bytes)` };

  let envelope: EventEnvelope<object>;
  try {
    envelope = decodeEvent(contract, payload);
  } catch (error) {
    return { ...base, outcome: 'unreadable', problem: unreadable(payload, error), ...traceIds(payload) };
  }
  const data = envelope.data as ShownFields;
  const inbound = subject === MessageInbound.subject;
  // Sealed: who it claims is for the verifier alone to read.
  const sealedClaim = inbound ? ((data as MessageInboundData).sealed_claim ?? undefined) : undefined;
  return prune({
    ...base,
    outcome: OUTCOMES[contract.subject as EventSubject],
    kind: data.kind,
    workspace_id: data.workspace_id,
    widget_id: data.widget_id,
    visitor_id: data.visitor_id,
    user_id: shownUserId(data.user_id),
    contact_id: data.contact_id,
    conversation_id: data.conversation_id,
    from_contact_id: data.from_contact_id,
    into_contact_id: data.into_contact_id,
    claim_present: inbound ? sealedClaim !== undefined : undefined,
    claimed_user_id: shownUserId(data.claimed_user_id),
    failure_reason: data.failure_reason,
    author: data.author,
    secret_version: data.secret_version,
    correlation_id: printable(envelope.correlation_id, 100),
    event_id: printable(envelope.id, 100),
    occurred_at: printable(envelope.occurred_at, 40),
  });
}

/** The text form: time, sequence, subject, outcome, then the ids as key=value, the correlation id last. */
export function formatEventLine(line: EventLine): string {
  const pairs: Array<[string, string | number | undefined]> = [
    ['widget', line.widget_id],
    ['visitor', line.visitor_id],
    ['user', line.user_id],
    ['claimed_user', line.claimed_user_id],
    ['contact', line.contact_id],
    ['from_contact', line.from_contact_id],
    ['into_contact', line.into_contact_id],
    ['corr', line.correlation_id],
  ];
  const fields = pairs.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${tokenValue(value as string | number)}`);
  return [line.time, `#${line.seq}`.padEnd(7), line.subject.padEnd(21), outcomeText(line).padEnd(30), ...fields].join(' ').trimEnd();
}

export function formatEventJson(line: EventLine): string {
  return jsonLine(line);
}

function outcomeText(line: EventLine): string {
  switch (line.outcome) {
    case 'received':
      return `received ${line.kind ?? 'event'}, ${line.claim_present ? 'with claim' : 'no claim'}`;
    case 'verified':
      return `verified (secret v${line.secret_version})`;
    case 'anonymous':
      return `anonymous: ${line.failure_reason ?? 'no claim'}`;
    case 'folded':
      return 'folded';
    case 'stored':
      return `stored (by ${line.author})`;
    case 'rotated':
      return `rotated to secret v${line.secret_version}`;
    case 'logged_out':
      return 'logged out';
    case 'erased':
      return 'contact erased';
    case 'unreadable':
      return `unreadable: ${line.problem}`;
  }
}

function unreadable(payload: Uint8Array, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/payload is not JSON$/.test(message)) return `not JSON (${payload.length} bytes)`;
  // decodeEvent's messages name fields, never values, except the schema version it found: leave that out too.
  const what = /schema_version/.test(message) ? 'unsupported schema_version' : message.replace(/^[\w.]+: /, '');
  return `unknown shape (${printable(what, 200)}; ${payload.length} bytes)`;
}

/** The envelope's ids of an event that failed validation, when they are plain UUIDs (so the operator can trace it). */
function traceIds(payload: Uint8Array): Pick<EventLine, 'correlation_id' | 'event_id'> {
  try {
    const raw: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    if (typeof raw !== 'object' || raw === null) return {};
    const { id, correlation_id } = raw as Record<string, unknown>;
    return prune({
      correlation_id: typeof correlation_id === 'string' && UUID.test(correlation_id) ? correlation_id : undefined,
      event_id: typeof id === 'string' && UUID.test(id) ? id : undefined,
    });
  } catch {
    return {};
  }
}

function prune<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
