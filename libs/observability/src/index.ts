export * from './logger';
export * from './health';
export * from './metrics';
export * from './request-log';
