import { connectTestNats } from './nats-auth';

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
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
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
