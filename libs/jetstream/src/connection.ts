import { connect, NatsConnection } from 'nats';
import { Logger } from 'pino';
import { ensureStreams } from './topology';

/**
 * One NATS connection per process, reconnecting forever: a broker restart must not take a
 * service down. Streams are provisioned before the connection is handed out.
 */
/** NATS_URL may list every node of a cluster, comma-separated: the client tries each and fails over between them. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
}

export async function connectJetStream(url: string, name: string, logger: Logger, streamReplicas = 1): Promise<NatsConnection> {
  // noAsyncTraces: no stack trace captured for every publish's acknowledgement (a fifth of a verifier's CPU otherwise).
  const nc = await connect({ servers: natsServers(url), name, maxReconnectAttempts: -1, reconnectTimeWait: 500, waitOnFirstConnect: true, noAsyncTraces: true });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn({ nats: status.type }, `NATS ${status.type}`);
    }
  })();
  await ensureStreams(await nc.jetstreamManager(), streamReplicas);
  return nc;
}
