import { BusRole } from '@inviaro/bus';
import { natsConnectionOptions } from '@inviaro/jetstream';
import { natsEnv } from '@inviaro/local-servers';
import { connect, ConnectionOptions, NatsConnection } from 'nats';

/** The test process's own user: every right, so that suites can look into streams and play any part. Never given to a service, and only on the harness's servers. */
export const HARNESS_USER = 'harness';
export type NatsUserName = BusRole | typeof HARNESS_USER;

/** A test's own connection to a harness NATS, as the harness user unless told otherwise (with that user's inboxes). */
export function connectTestNats(url: string, options: ConnectionOptions = {}, user: NatsUserName = HARNESS_USER): Promise<NatsConnection> {
  return connect({ ...natsConnectionOptions(natsEnv(url, user)), ...options });
}
