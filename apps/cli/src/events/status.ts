import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import { ConsumerInfo, NatsConnection } from 'nats';
import { durationMs } from './duration';
import { connectNats } from './nats';
import { ago, bytes, jetStreamTime, jsonLine, printable, table } from './text';

export type ConsumerState = 'ok' | 'working' | 'stuck';

export interface StreamStatus {
  name: string;
  exists: boolean;
  messages: number;
  bytes: number;
  first_seq: number;
  last_seq: number;
  first_time: string | null;
  last_time: string | null;
  consumers: number;
  /** On a cluster: the node leading the stream, and each other replica's state. Absent on one server. */
  cluster?: StreamReplicas;
}

export interface StreamReplicas {
  leader: string | null;
  /** `seen_seconds_ago`: since the leader last heard from it; a node that is down is behind and not seen for long. */
  replicas: Array<{ name: string; state: 'current' | 'behind' | 'offline'; lag: number; seen_seconds_ago: number }>;
}

export interface ConsumerStatus {
  stream: string;
  name: string;
  /** False for the ephemeral ones: each gateway instance's broadcast consumers, a running `tail`. */
  durable: boolean;
  filter_subject: string | null;
  /** In the stream, not yet delivered to this consumer. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ack_pending: number;
  redelivered: number;
  /** Pull requests open right now: 0 means no instance is reading it. */
  waiting_pulls: number;
  delivered_stream_seq: number;
  ack_floor_stream_seq: number;
  /** The latest delivery or acknowledgement (or its creation, when it has had neither). */
  last_active: string | null;
  state: ConsumerState;
}

export interface EventsStatus {
  at: string;
  stuck_after_seconds: number;
  streams: StreamStatus[];
  consumers: ConsumerStatus[];
  /** Dead letters held now, by the subject of the message that failed. */
  dead_letters: Record<string, number>;
  /** Streams whose consumers could not be listed (on a cluster: a node is down, or a leader is being elected). */
  consumers_unlisted: string[];
}

/**
 * The stuck heuristic, from one look at the consumer (no sampling): it has work waiting
 * (pending or unacknowledged messages) and nothing has moved, neither a delivery nor an
 * acknowledgement, for `stuckAfterMs` (its creation counts as a movement, so a new consumer gets
 * that long). Work waiting with recent movement is "working"; no work waiting is "ok".
 */
export function judgeConsumer(consumer: { pending: number; ackPending: number; lastActive?: Date }, now: Date, stuckAfterMs: number): ConsumerState {
  if (consumer.pending + consumer.ackPending === 0) return 'ok';
  if (consumer.lastActive && now.getTime() - consumer.lastActive.getTime() < stuckAfterMs) return 'working';
  return 'stuck';
}

export function consumerStatus(info: ConsumerInfo, localNow: Date, stuckAfterMs: number): ConsumerStatus {
  // The server's clock when it says (2.10+), so that a skewed operator clock does not make everything look stuck.
  const now = jetStreamTime(info.ts) ?? localNow;
  const times = [info.delivered?.last_active, info.ack_floor?.last_active, info.created].map(jetStreamTime).filter((t): t is Date => t !== undefined);
  const lastActive = times.length ? new Date(Math.max(...times.map((t) => t.getTime()))) : undefined;
  const filters = info.config.filter_subjects?.length ? info.config.filter_subjects.join(',') : info.config.filter_subject;
  return {
    stream: info.stream_name,
    name: info.name,
    durable: Boolean(info.config.durable_name),
    filter_subject: filters || null,
    pending: info.num_pending,
    ack_pending: info.num_ack_pending,
    redelivered: info.num_redelivered,
    waiting_pulls: info.num_waiting,
    delivered_stream_seq: info.delivered?.stream_seq ?? 0,
    ack_floor_stream_seq: info.ack_floor?.stream_seq ?? 0,
    last_active: lastActive?.toISOString() ?? null,
    state: judgeConsumer({ pending: info.num_pending, ackPending: info.num_ack_pending, lastActive }, now, stuckAfterMs),
  };
}

async function collectStatus(nc: NatsConnection, stuckAfterMs: number): Promise<EventsStatus> {
  // No API check first: it asks the cluster's meta leader, which is missing for seconds after its node dies.
  const jsm = await nc.jetstreamManager({ checkAPI: false });
  const now = new Date();
  const streams: StreamStatus[] = [];
  const consumers: ConsumerStatus[] = [];
  let deadLetters: Record<string, number> = {};
  const unlisted: string[] = [];
  for (const name of [EVENT_STREAM, INBOUND_STREAM, DEAD_LETTER_STREAM]) {
    // subjects_filter: the per-subject counts (used for the dead letters).
    const info = await jsm.streams.info(name, name === DEAD_LETTER_STREAM ? { subjects_filter: '>' } : undefined).catch((error: unknown) => {
      if (isJetStreamError(error, JetStreamErrorCode.StreamNotFound)) return undefined;
      throw new Error(
        `stream ${name} did not answer (${error instanceof Error ? error.message : String(error)}): on a cluster its nodes are electing a leader (seconds) or most of them are down; run again`,
      );
    });
    if (!info) {
      streams.push({ name, exists: false, messages: 0, bytes: 0, first_seq: 0, last_seq: 0, first_time: null, last_time: null, consumers: 0 });
      continue;
    }
    const { state } = info;
    const empty = state.messages === 0;
    const replicas = info.cluster?.replicas;
    streams.push({
      name,
      exists: true,
      messages: state.messages,
      bytes: state.bytes,
      first_seq: state.first_seq,
      last_seq: state.last_seq,
      first_time: empty ? null : (jetStreamTime(state.first_ts)?.toISOString() ?? null),
      last_time: empty ? null : (jetStreamTime(state.last_ts)?.toISOString() ?? null),
      consumers: state.consumer_count,
      ...(replicas && {
        cluster: {
          leader: info.cluster?.leader ?? null,
          replicas: replicas.map((r) => ({
            name: r.name,
            state: r.offline ? 'offline' : r.current ? 'current' : 'behind',
            lag: r.lag ?? 0,
            seen_seconds_ago: Math.round(r.active / 1e9),
          })),
        },
      }),
    });
    // A consumer whose leader was on a node that is down is left out of the list, or fails it, until another leads it.
    const listed = consumers.length;
    try {
      for await (const consumer of jsm.consumers.list(name)) consumers.push(consumerStatus(consumer, now, stuckAfterMs));
    } catch {
      // shown below as not all listed
    }
    if (consumers.length - listed < state.consumer_count) unlisted.push(name);
    if (name === DEAD_LETTER_STREAM) {
      deadLetters = Object.fromEntries(
        Object.entries(state.subjects ?? {})
          .map(([subject, count]): [string, number] => [
            subject.startsWith(`${DEAD_LETTER_PREFIX}.`) ? subject.slice(DEAD_LETTER_PREFIX.length + 1) : subject,
            count,
          ])
          .sort(([a], [b]) => a.localeCompare(b)),
      );
    }
  }
  consumers.sort((a, b) => a.stream.localeCompare(b.stream) || Number(b.durable) - Number(a.durable) || a.name.localeCompare(b.name));
  return { at: now.toISOString(), stuck_after_seconds: stuckAfterMs / 1000, streams, consumers, dead_letters: deadLetters, consumers_unlisted: unlisted };
}

export function formatStatus(status: EventsStatus): string {
  const now = new Date(status.at);
  const out: string[] = [];
  out.push(
    table(
      ['STREAM', 'MESSAGES', 'SIZE', 'FIRST', 'LAST', 'CONSUMERS'],
      status.streams.map((s) =>
        s.exists
          ? [s.name, String(s.messages), bytes(s.bytes), s.first_time ?? '-', s.last_time ?? '-', String(s.consumers)]
          : [s.name, 'missing', '-', '-', '-', '-'],
      ),
    ),
  );
  const clustered = status.streams.filter((s) => s.cluster);
  if (clustered.length) {
    out.push('');
    out.push(
      table(
        ['STREAM', 'LEADER', 'REPLICAS'],
        clustered.map((s) => [s.name, s.cluster!.leader ?? 'NONE (no quorum)', s.cluster!.replicas.map(replicaText).join(', ')]),
      ),
    );
  }
  out.push('');
  if (status.consumers_unlisted.length)
    out.push(
      `consumers of ${status.consumers_unlisted.join(', ')} could not all be listed (a node down, or a leader being elected): run again in a few seconds`,
    );
  if (status.consumers.length === 0) out.push('no consumers (are the services running?)');
  else {
    out.push(
      table(
        ['CONSUMER', 'STREAM', 'SUBJECT', 'PENDING', 'ACK PENDING', 'REDELIVERED', 'PULLS', 'LAST ACTIVE', 'STATE'],
        status.consumers.map((c) => [
          c.durable ? printable(c.name, 80) : `${printable(c.name, 60)} (ephemeral)`,
          c.stream,
          printable(c.filter_subject ?? '>', 80),
          String(c.pending),
          String(c.ack_pending),
          String(c.redelivered),
          String(c.waiting_pulls),
          ago(c.last_active ? new Date(c.last_active) : undefined, now),
          c.state === 'stuck' ? 'STUCK' : c.state,
        ]),
      ),
    );
  }
  out.push('');
  const deadLetters = Object.entries(status.dead_letters);
  if (deadLetters.length === 0) out.push('dead letters: none');
  else {
    const total = deadLetters.reduce((sum, [, count]) => sum + count, 0);
    out.push(`dead letters: ${total} (npx inviaro events dead-letters)`);
    out.push(
      table(
        ['SUBJECT', 'DEAD LETTERS'],
        deadLetters.map(([subject, count]) => [printable(subject, 200), String(count)]),
      ),
    );
  }
  out.push('');
  const stuck = status.consumers.filter((c) => c.state === 'stuck');
  if (stuck.length) out.push(`${stuck.length} consumer(s) look STUCK: ${stuck.map((c) => printable(c.name, 80)).join(', ')}`);
  out.push(
    `STATE: ok = nothing waiting; working = messages pending or unacknowledged, and a delivery or acknowledgement in the last ${status.stuck_after_seconds}s; ` +
      `STUCK = messages waiting and nothing delivered or acknowledged for ${status.stuck_after_seconds}s (--stuck-after). PULLS 0 = no instance is reading it.`,
  );
  return out.join('\n');
}

function replicaText(replica: StreamReplicas['replicas'][number]): string {
  if (replica.state === 'current') return `${replica.name} current`;
  return `${replica.name} ${replica.state === 'behind' ? `behind by ${replica.lag}` : 'offline'}, seen ${replica.seen_seconds_ago}s ago`;
}

export async function statusCommand(options: { json?: boolean; stuckAfter?: string }): Promise<void> {
  const stuckAfterMs = parseSeconds(options.stuckAfter ?? '60');
  const nc = await connectNats();
  try {
    const status = await collectStatus(nc, stuckAfterMs);
    if (!status.streams.some((s) => s.exists))
      throw new Error(
        `none of ${EVENT_STREAM}, ${INBOUND_STREAM}, ${DEAD_LETTER_STREAM} exists: the services create them when they start (is NATS_URL the system's NATS?)`,
      );
    console.log(options.json ? jsonLine(status) : formatStatus(status));
  } finally {
    await nc.close();
  }
}

/** A duration (90s, 5m), or a bare number of seconds. */
function parseSeconds(text: string): number {
  const ms = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Math.round(Number(text) * 1000) : durationMs(text);
  if (ms === undefined) throw new Error(`--stuck-after: expected seconds (60, 90s) or minutes (5m), not "${text.slice(0, 40)}"`);
  return ms;
}
