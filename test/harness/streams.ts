import { isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import { EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { connectTestNats } from './nats-auth';
import { waitFor } from './wait';

export interface StoredStreamMessage {
  subject: string;
  headers: Record<string, string>;
  text: string;
}

/** Every message a stream holds now, oldest first, optionally only those of one subject. */
export async function readStream(natsUrl: string, stream: string, subject?: string): Promise<StoredStreamMessage[]> {
  const nc = await connectTestNats(natsUrl);
  try {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const found: StoredStreamMessage[] = [];
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      // A sequence with no message (deleted, or purged) is skipped; any other failure of the read fails the caller's check.
      const message = await jsm.streams.getMessage(stream, { seq }).catch((error: unknown) => {
        if (isJetStreamError(error, JetStreamErrorCode.NoMessageFound)) return undefined;
        throw error;
      });
      if (!message || (subject && message.subject !== subject)) continue;
      const headers = Object.fromEntries([...(message.header ?? [])].map(([key, values]) => [key, values.join(',')]));
      found.push({ subject: message.subject, headers, text: Buffer.from(message.data).toString() });
    }
    return found;
  } finally {
    await nc.close();
  }
}

/** The envelopes of one subject, parsed. */
export async function readEvents<T = Record<string, unknown>>(
  natsUrl: string,
  stream: string,
  subject: string,
): Promise<Array<{ id: string; correlation_id: string; data: T }>> {
  return (await readStream(natsUrl, stream, subject)).map((message) => JSON.parse(message.text) as { id: string; correlation_id: string; data: T });
}

/**
 * Waits until every durable consumer (the services' work queues) has settled all it was given:
 * nothing pending, nothing unacknowledged. The positive signal before asserting that something did
 * not happen to the events so far (a dead letter, a second copy).
 */
export async function untilConsumersSettled(natsUrl: string, timeoutMs = 60_000): Promise<void> {
  const nc = await connectTestNats(natsUrl);
  try {
    const jsm = await nc.jetstreamManager();
    await waitFor(
      'every durable consumer settled',
      async () => {
        for (const stream of [INBOUND_STREAM, EVENT_STREAM]) {
          for await (const info of jsm.consumers.list(stream)) {
            if (info.config.durable_name && (info.num_pending > 0 || info.num_ack_pending > 0)) return undefined;
          }
        }
        return true;
      },
      timeoutMs,
      200,
    );
  } finally {
    await nc.close();
  }
}
