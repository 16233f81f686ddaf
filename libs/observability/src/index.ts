export * from './logger';
export * from './config';
export * from './health';
export * from './metrics';
export * from './request-log';
export * from './run-settings';
