import { BUS_ROLES, renderAuthorization, systemUsers } from '@inviaro/bus';
import { NatsSettings } from '@inviaro/jetstream';
import { randomPassword } from './passwords';

export interface NatsCredentials {
  user: string;
  password: string;
}

export interface NatsAuth {
  /** The server's `authorization` block: include it in a single server's or every cluster node's configuration. */
  config: string;
  /** By user name: the system's roles, and the extra users asked for. */
  credentials: Record<string, NatsCredentials>;
}

/**
 * Fresh passwords for every user of the system, with the permissions rendered from the topology.
 * `extraUsers` get every right: the test harness's own user, never the start command's.
 */
export function natsAuth(extraUsers: readonly string[] = []): NatsAuth {
  const credentials = Object.fromEntries([...BUS_ROLES, ...extraUsers].map((user) => [user, { user, password: randomPassword() }]));
  const extras = extraUsers.map((user) => ({ user, password: credentials[user]!.password }));
  return { config: renderAuthorization([...systemUsers((role) => credentials[role]!.password), ...extras]), credentials };
}

/** Credentials of the servers this process started, by URL, for the helpers that are handed only a URL. */
const known = new Map<string, Record<string, NatsCredentials>>();

export function rememberNatsCredentials(url: string, credentials: Record<string, NatsCredentials>): void {
  known.set(url, credentials);
}

/** The environment a process (a service, the CLI) needs to reach this NATS as one user; just the URL where this process did not start it. */
export function natsEnv(url: string, user: string): NatsSettings & NodeJS.ProcessEnv {
  const credentials = known.get(url)?.[user];
  return credentials ? { NATS_URL: url, NATS_USER: credentials.user, NATS_PASSWORD: credentials.password } : { NATS_URL: url };
}
