import { CommonConfig } from '@inviaro/config';
import { connect, ConnectionOptions, Events, JetStreamManager, NatsConnection, TlsOptions } from 'nats';
import { Logger } from 'pino';
import { describeError } from './describe-error';
import { coalesceNatsWrites } from './write-coalescing';

/** Injects the process's NATS connection. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** Each user's replies and consumer deliveries arrive under its own prefix, so that a permission can keep other users from them. */
export function inboxPrefix(user: string): string {
  return `_INBOX.${user}`;
}

/** How a process reaches NATS: the server list, its user, and TLS (declared, documented and validated once, in CommonConfig). */
export type NatsSettings = Pick<CommonConfig, 'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TLS_CA_FILE' | 'NATS_TLS_CERT_FILE' | 'NATS_TLS_KEY_FILE'>;

/** Connection options for these settings; the password goes to the client only, never into a URL or a log line. */
export function natsConnectionOptions(settings: NatsSettings): ConnectionOptions {
  const servers = natsServers(settings.NATS_URL);
  const tls: TlsOptions = {
    ...(settings.NATS_TLS_CA_FILE ? { caFile: settings.NATS_TLS_CA_FILE } : {}),
    ...(settings.NATS_TLS_CERT_FILE ? { certFile: settings.NATS_TLS_CERT_FILE } : {}),
    ...(settings.NATS_TLS_KEY_FILE ? { keyFile: settings.NATS_TLS_KEY_FILE } : {}),
  };
  const wantsTls = servers.some((s) => s.startsWith('tls://')) || Object.keys(tls).length > 0;
  return {
    servers,
    ...(settings.NATS_USER ? { user: settings.NATS_USER, pass: settings.NATS_PASSWORD, inboxPrefix: inboxPrefix(settings.NATS_USER) } : {}),
    // The client otherwise uses TLS only where the server offers it; asked for, it refuses a server without.
    ...(wantsTls ? { tls } : {}),
  };
}

/** NATS_URL may list every node of a cluster, comma-separated: the client tries each and fails over between them. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
}

/**
 * One NATS connection per process, reconnecting forever: a broker restart must not take a
 * service down. The caller's streams are provisioned before the connection is handed out.
 */
export async function connectJetStream(
  settings: NatsSettings,
  name: string,
  logger: Logger,
  provisionStreams: (jsm: JetStreamManager) => Promise<void>,
): Promise<NatsConnection> {
  coalesceNatsWrites();
  // noAsyncTraces: no stack trace captured for every publish's acknowledgement (a fifth of a verifier's CPU otherwise).
  const nc = await connect({
    ...natsConnectionOptions(settings),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    noAsyncTraces: true,
  });
  const logStatus = async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect || status.type === Events.Reconnect) logger.warn({ nats: status.type }, `NATS ${status.type}`);
      // A denied subject is a wrong permission table or a wrong user: say which subject, never the credentials.
      if (status.type === Events.Error)
        logger.error({ nats: status.type, err: typeof status.data === 'object' ? JSON.stringify(status.data) : String(status.data) }, 'NATS error');
    }
  };
  logStatus().catch((error: unknown) => logger.error({ err: describeError(error) }, 'NATS status watch failed'));
  await provisionStreams(await nc.jetstreamManager());
  return nc;
}
