import { isJetStreamError, JetStreamErrorCode, natsConnectionOptions } from '@inviaro/jetstream';
import { HOW_TO_SET } from '../environment';
import { connect, JetStreamManager, NatsConnection, StreamInfo, StreamInfoRequestOptions } from 'nats';

const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export function natsUrl(): string {
  return process.env.NATS_URL || DEFAULT_NATS_URL;
}

/** The server list with any user, password or token taken out: safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/,]*@/g, '//***@');
}

/**
 * A connection for one command, as the operator's NATS user (NATS_USER / NATS_PASSWORD, TLS
 * from NATS_TLS_*, like the services). `follow` (tail) keeps reconnecting for as long as it runs;
 * the one-shot commands give up after a few attempts.
 */
export async function connectNats(follow = false): Promise<NatsConnection> {
  const url = natsUrl();
  try {
    return await connect({
      ...natsConnectionOptions({ ...process.env, NATS_URL: url }),
      name: `inviaro-cli-${process.pid}`,
      maxReconnectAttempts: follow ? -1 : 3,
      reconnectTimeWait: 1000,
      timeout: 5000,
    });
  } catch (error) {
    throw new Error(
      `cannot connect to NATS at ${redactUrl(url)} (NATS_URL, and NATS_USER / NATS_PASSWORD for the operator's user: ${HOW_TO_SET}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** A stream's info, or a message an operator can act on when the stream is not there. */
export async function streamInfo(jsm: JetStreamManager, stream: string, options?: Partial<StreamInfoRequestOptions>): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(stream, options);
  } catch (error) {
    if (isJetStreamError(error, JetStreamErrorCode.StreamNotFound)) {
      throw new Error(`stream ${stream} does not exist on ${redactUrl(natsUrl())}: the services create it when they start (is NATS_URL the system's NATS?)`);
    }
    throw error;
  }
}
