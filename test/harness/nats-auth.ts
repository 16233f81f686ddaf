import { BUS_ROLES, BusRole, natsConnectionOptions, NatsSettings, renderAuthorization, systemUsers } from '@inviaro/jetstream';
import { randomBytes } from 'node:crypto';
import { connect, ConnectionOptions, NatsConnection } from 'nats';

/** The test process's own user: every right, so that suites can look into streams and play any part. Never given to a service. */
export const HARNESS_USER = 'harness';
export type NatsUserName = BusRole | typeof HARNESS_USER;

export interface NatsCredentials {
  user: string;
  password: string;
}

export interface NatsAuth {
  /** The server's `authorization` block: include it in a single server's or every cluster node's configuration. */
  config: string;
  credentials: Record<NatsUserName, NatsCredentials>;
}

/** Fresh passwords for every user of the system (and the harness), with the permissions rendered from the topology. */
export function natsAuth(): NatsAuth {
  const credentials = Object.fromEntries(
    [...BUS_ROLES, HARNESS_USER].map((user) => [user, { user, password: randomBytes(24).toString('base64url') }]),
  ) as Record<NatsUserName, NatsCredentials>;
  const users = [...systemUsers((role) => credentials[role].password), { user: HARNESS_USER, password: credentials[HARNESS_USER].password }];
  return { config: renderAuthorization(users), credentials };
}

/** Credentials of the servers this process started, by URL, for the test helpers that are handed only a URL. */
const known = new Map<string, Record<NatsUserName, NatsCredentials>>();

export function rememberNatsCredentials(url: string, credentials: Record<NatsUserName, NatsCredentials>): void {
  known.set(url, credentials);
}

/** The environment a process (a service, the CLI) needs to reach this NATS as one user; just the URL where the harness did not start it. */
export function natsEnv(url: string, user: NatsUserName): NatsSettings & NodeJS.ProcessEnv {
  const credentials = known.get(url)?.[user];
  return credentials ? { NATS_URL: url, NATS_USER: credentials.user, NATS_PASSWORD: credentials.password } : { NATS_URL: url };
}

/** A test's own connection to a harness NATS, as the harness user unless told otherwise (with that user's inboxes). */
export function connectTestNats(url: string, options: ConnectionOptions = {}, user: NatsUserName = HARNESS_USER): Promise<NatsConnection> {
  return connect({ ...natsConnectionOptions(natsEnv(url, user)), ...options });
}
