import * as local from '@inviaro/local-servers';
import { HARNESS_USER } from './nats-auth';

/** The local servers (libs/local-servers), with the harness's own NATS user besides the system's: for tests only. */
export function startServers(options: local.ServerOptions = {}): Promise<local.ServerSet> {
  return local.startServers({ ...options, extraNatsUsers: [HARNESS_USER] });
}

export function natsServer(dir: string, options: local.NatsServerOptions = {}): ReturnType<typeof local.natsServer> {
  return local.natsServer(dir, { ...options, extraNatsUsers: [HARNESS_USER] });
}

export function natsAuth(): local.NatsAuth {
  return local.natsAuth([HARNESS_USER]);
}
