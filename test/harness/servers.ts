import * as local from '@inviaro/local-servers';
import { HARNESS_USER } from './nats-auth';

/**
 * Where the suites' servers come from: INVIARO_TEST_SERVERS=local (the default: Debian's binaries, each a
 * handle fault suites kill and restart), docker (testcontainers) or env (NATS_URL, REDIS_URL, DATABASE_URL;
 * all three required). The harness never picks one by itself.
 */
export function testServerSource(env: NodeJS.ProcessEnv = process.env): local.ServerSource {
  const asked = env.INVIARO_TEST_SERVERS ?? 'local';
  if (!(local.SERVER_SOURCES as readonly string[]).includes(asked)) {
    throw new Error(`INVIARO_TEST_SERVERS=${asked}: expected one of ${local.SERVER_SOURCES.join(', ')}`);
  }
  return asked as local.ServerSource;
}

/**
 * The servers a suite gives on purpose (the cluster test's NATS_URL), never the ones the shell happens to
 * export: a suite spreads process.env into its options, so only the URLs it changed count.
 */
function givenBySuite(env: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const given: NodeJS.ProcessEnv = {};
  for (const name of ['NATS_URL', 'REDIS_URL', 'DATABASE_URL']) {
    if (env?.[name] && env[name] !== process.env[name]) given[name] = env[name];
  }
  return given;
}

/** The server options as the harness passes them to libs/local-servers: the explicit source, the suite's own servers, the harness's NATS user. */
export function harnessServerOptions<T extends local.ServerOptions>(options: T): T {
  const source = testServerSource();
  return { ...options, source, env: source === 'env' ? (options.env ?? process.env) : givenBySuite(options.env), extraNatsUsers: [HARNESS_USER] };
}

/** The local servers (libs/local-servers), with the harness's own NATS user besides the system's: for tests only. */
export function startServers(options: local.ServerOptions = {}): Promise<local.ServerSet> {
  return local.startServers(harnessServerOptions(options));
}

export function natsServer(dir: string, options: local.NatsServerOptions = {}): ReturnType<typeof local.natsServer> {
  return local.natsServer(dir, { ...options, extraNatsUsers: [HARNESS_USER] });
}

export function natsAuth(): local.NatsAuth {
  return local.natsAuth([HARNESS_USER]);
}
