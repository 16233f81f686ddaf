export * from './service-runner';
