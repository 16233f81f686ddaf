import { ALL_EVENTS, MessageInbound } from '@inviaro/contracts';
import { isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import { CommonConfig } from '@inviaro/config';
import { DiscardPolicy, JetStreamManager, nanos, RetentionPolicy, StorageType, StreamConfig, StreamInfo } from 'nats';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export const EVENT_STREAM = 'INVIARO_EVENTS';
/** message.inbound only: a work queue, so an event (and its sealed claim) is deleted once the verifier acknowledges it. */
export const INBOUND_STREAM = 'INVIARO_INBOUND';
export const DEAD_LETTER_STREAM = 'INVIARO_DEAD_LETTERS';
export const DEAD_LETTER_PREFIX = 'dead-letter';

/** The replicas, size and age limits of the streams: declared, documented and given their defaults once, in CommonConfig. */
export type StreamSettings = Pick<
  CommonConfig,
  | 'NATS_STREAM_REPLICAS'
  | 'INVIARO_EVENTS_MAX_BYTES'
  | 'INVIARO_INBOUND_MAX_BYTES'
  | 'INVIARO_DEAD_LETTERS_MAX_BYTES'
  | 'INVIARO_INBOUND_MAX_AGE_HOURS'
  | 'STREAM_MAX_MSG_BYTES'
>;

export type StreamDefinition = Partial<StreamConfig> & { name: string; subjects: string[] };

/** Which stream stores which subjects: the stream configurations and the bus permissions derive from it. */
export interface StreamLayout {
  name: string;
  subjects: string[];
}

export const STREAM_LAYOUT: readonly StreamLayout[] = [
  // Every event but message.inbound, which has a stream of its own.
  { name: EVENT_STREAM, subjects: ALL_EVENTS.filter((c) => c !== MessageInbound).map((c) => c.subject) },
  { name: INBOUND_STREAM, subjects: [MessageInbound.subject] },
  { name: DEAD_LETTER_STREAM, subjects: [`${DEAD_LETTER_PREFIX}.>`] },
];

/** The stream that stores a subject; where the layout moves a subject, its consumers and permissions follow. */
export function streamOf(subject: string, streams: readonly StreamLayout[] = STREAM_LAYOUT): string {
  const stream = streams.find((s) => s.subjects.some((pattern) => subjectMatches(pattern, subject)));
  if (!stream) throw new Error(`no stream stores ${subject}`);
  return stream.name;
}

/** NATS subject matching: `*` one token, `>` the rest. */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

function layoutOf(name: string): StreamLayout {
  return STREAM_LAYOUT.find((s) => s.name === name)!;
}

/**
 * Every stream the system uses, declared once and provisioned idempotently by each service at start.
 * Discard New everywhere: a full stream refuses the publish (the gateway answers 503), it never drops
 * a stored event that a consumer has not had.
 */
function streamConfigs(limits: StreamSettings): StreamDefinition[] {
  const every = {
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msg_size: limits.STREAM_MAX_MSG_BYTES,
    num_replicas: limits.NATS_STREAM_REPLICAS,
    // Publishers set Nats-Msg-Id; a retry inside this window is stored once.
    duplicate_window: nanos(2 * 60 * 1000),
  };
  return [
    {
      ...layoutOf(EVENT_STREAM),
      ...every,
      retention: RetentionPolicy.Limits,
      max_bytes: limits.INVIARO_EVENTS_MAX_BYTES,
      // Kept a week so that operators can replay (`events tail --since`) and dead letters can be re-driven.
      max_age: nanos(7 * DAY_MS),
    },
    {
      ...layoutOf(INBOUND_STREAM),
      ...every,
      retention: RetentionPolicy.Workqueue,
      max_bytes: limits.INVIARO_INBOUND_MAX_BYTES,
      // Only a verifier outage makes events wait here; past this age the server drops them (docs/operations.md).
      max_age: nanos(limits.INVIARO_INBOUND_MAX_AGE_HOURS * HOUR_MS),
    },
    {
      ...layoutOf(DEAD_LETTER_STREAM),
      ...every,
      retention: RetentionPolicy.Limits,
      max_bytes: limits.INVIARO_DEAD_LETTERS_MAX_BYTES,
      max_age: nanos(30 * DAY_MS),
    },
  ];
}

/**
 * Creates missing streams, each with NATS_STREAM_REPLICAS copies (durable consumers follow
 * their stream's count); brings the existing ones named in `updates` (each user's right:
 * streamsToUpdate) to this configuration. A stream that still stores a subject this layout
 * keeps in another one is of a release older than INVIARO_INBOUND (message.inbound, with
 * plaintext claims, in INVIARO_EVENTS): the release that moved those events is retired, so every
 * service stops here with what to do, rather than strand them or publish where no verifier reads.
 */
export async function ensureStreams(
  jsm: JetStreamManager,
  settings: StreamSettings,
  { updates = STREAM_LAYOUT.map((s) => s.name) }: { updates?: readonly string[] } = {},
): Promise<void> {
  for (const stream of streamConfigs(settings)) {
    let existing: StreamInfo;
    try {
      existing = await jsm.streams.info(stream.name);
    } catch (error) {
      if (!isJetStreamError(error, JetStreamErrorCode.StreamNotFound)) throw error;
      // Another service may create it between our look and our add: that is the state we wanted.
      await jsm.streams.add(stream).catch((addError: unknown) => {
        if (!isJetStreamError(addError, JetStreamErrorCode.StreamNameInUse)) throw addError;
      });
      continue;
    }
    refuseOlderLayout(existing.config);
    if (updates.includes(stream.name)) await jsm.streams.update(stream.name, stream);
  }
}

function refuseOlderLayout(existing: StreamConfig): void {
  const moved = (existing.subjects ?? []).flatMap((subject) => {
    const keeper = STREAM_LAYOUT.find((s) => s.name !== existing.name && s.subjects.some((pattern) => subjectMatches(pattern, subject)));
    return keeper ? [{ subject, keeper: keeper.name }] : [];
  });
  if (moved.length === 0) return;
  const subjects = moved.map((m) => m.subject).join(', ');
  throw new Error(
    `${existing.name} still stores ${subjects}, which this release keeps in ${moved.map((m) => m.keeper).join(', ')}: the deployment is older than ${INBOUND_STREAM}. ` +
      `Run the previous release until ${existing.name} holds no ${subjects} (docs/operations.md, Upgrading)`,
  );
}
