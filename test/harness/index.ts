// The local servers and the system as the start command runs them; the harness's own versions of the
// server starters (with its NATS user) and of the system (with SQL) take precedence over the lib's.
export { DIST, freePort, launch, logFile, natsEnv, postgresBin, REPO_ROOT, restartable, SERVER_SOURCES, SERVICES, Supervisor } from '@inviaro/local-servers';
export type {
  LaunchOptions,
  LocalSystem,
  ManagedProcess,
  NatsAuth,
  NatsCredentials,
  NatsServerOptions,
  ServerHandle,
  ServerOptions,
  ServerPasswords,
  ServerSet,
  ServerSource,
  ServiceName,
  ServiceProcess,
  SupervisorOptions,
  SystemOptions,
  Unit,
} from '@inviaro/local-servers';
export * from './servers';
export * from './nats-auth';
export * from './system';
export * from './fixtures';
export * from './widget-client';
export * from './wait';
export * from './load';
export * from './admin-client';
export * from './verifier-probe';
export * from './streams';
export * from './event-stream';
export * from './steady-load';
export * from './suites';
export * from './nats-cluster';
export * from './stored-once';
export * from './metrics';
export * from './cli';
export * from './items';
export * from './compose';
export * from './secret-stores';
export * from './docs-programs';
export * from './database-suite';
