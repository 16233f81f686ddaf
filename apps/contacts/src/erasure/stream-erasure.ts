import { DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { DeliverPolicy, JetStreamManager, NatsConnection } from 'nats';
import { DatabaseErasure } from './erase-contacts';

/** Events a fetch asks for at once while a stream is read through. */
const READ_BATCH = 1_000;

/** What marks a stored event as the erased contacts': its message, its device, or its user (verified, or claimed by a failed claim). */
interface ErasedKeys {
  workspaceId: string;
  userId: string | null;
  visitorIds: ReadonlySet<string>;
  messageIds: ReadonlySet<string>;
}

/**
 * Removes the erased contacts' events from the retention of every stream (docs/security.md#erasure):
 * INVIARO_EVENTS (7 days: the attributed events with their text and attributes, message.stored,
 * contact.folded), INVIARO_DEAD_LETTERS (30 days: a dead-lettered inbound event carries its text) and
 * the work queue INVIARO_INBOUND (events still waiting for a verifier). Each is deleted by sequence with
 * `erase`, so the server overwrites its bytes on disk. Reads each stream once, as it is when the erasure
 * committed: an event of an erased user or device received before then and published after is dropped
 * by the contacts service when it arrives (tombstones.ts). Returns how many events went.
 */
export async function eraseFromStreams(nc: NatsConnection, erasure: DatabaseErasure): Promise<number> {
  const keys: ErasedKeys = {
    workspaceId: erasure.workspaceId,
    userId: erasure.userId,
    visitorIds: new Set(erasure.visitorIds),
    messageIds: new Set(erasure.messageIds),
  };
  const jsm = await nc.jetstreamManager();
  let erased = 0;
  for (const stream of [EVENT_STREAM, DEAD_LETTER_STREAM]) erased += await eraseThroughConsumer(nc, jsm, stream, keys);
  erased += await eraseBySequence(jsm, INBOUND_STREAM, keys);
  return erased;
}

/** A stream read on an ordered consumer of its own (no acknowledgements: it takes nothing from the services' consumers). */
async function eraseThroughConsumer(nc: NatsConnection, jsm: JetStreamManager, stream: string, keys: ErasedKeys): Promise<number> {
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0) return 0;
  const consumer = await nc.jetstream().consumers.get(stream, {
    name_prefix: 'inviaro_erasure_',
    // Not DeliverPolicy.All: the ordered consumer adds a start sequence, which the server refuses beside it.
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: state.first_seq,
  });
  let erased = 0;
  let readTotal = 0;
  try {
    for (let done = false; !done;) {
      let read = 0;
      // No more than the stream holds: a fetch that asks for more waits out its expiry.
      const batch = await consumer.fetch({ max_messages: Math.min(READ_BATCH, Math.max(1, state.messages - readTotal)), expires: 2_000 });
      for await (const message of batch) {
        read++;
        if (isErased(message.data, keys) && (await jsm.streams.deleteMessage(stream, message.seq, true))) erased++;
        if (message.seq >= state.last_seq || message.info.pending === 0) done = true;
      }
      readTotal += read;
      if (read === 0) done = true;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return erased;
}

/** The work queue takes no second consumer: it is read message by message (it holds only what waits for a verifier). */
async function eraseBySequence(jsm: JetStreamManager, stream: string, keys: ErasedKeys): Promise<number> {
  const { state } = await jsm.streams.info(stream);
  let erased = 0;
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    // A message the verifier settled meanwhile is gone: nothing to erase.
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (message && isErased(message.data, keys) && (await jsm.streams.deleteMessage(stream, seq, true).catch(() => false))) erased++;
  }
  return erased;
}

/** Whether a stored event (an envelope; a dead letter's body is the inbound event or empty) is the erased contacts'. */
function isErased(payload: Uint8Array, keys: ErasedKeys): boolean {
  let envelope: { correlation_id?: unknown; data?: Record<string, unknown> };
  try {
    envelope = JSON.parse(Buffer.from(payload).toString('utf8')) as typeof envelope;
  } catch {
    return false;
  }
  const data = envelope?.data;
  if (typeof data !== 'object' || data === null) return false;
  // contact.anonymous names the user id a failed claim claimed: that copy goes with the failure records.
  const ofUser = keys.userId !== null && data.workspace_id === keys.workspaceId && (data.user_id === keys.userId || data.claimed_user_id === keys.userId);
  return (
    ofUser ||
    keys.visitorIds.has(String(data.visitor_id)) ||
    keys.messageIds.has(String(data.message_id)) ||
    keys.messageIds.has(String(envelope.correlation_id))
  );
}
