export * from './processes';
export * from './servers';
export * from './passwords';
export * from './nats-auth';
export * from './local-system';
export * from './supervisor';
export * from './paths';
