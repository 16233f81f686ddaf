export * from './processes';
export * from './servers';
export * from './system';
export * from './fixtures';
export * from './widget-client';
export * from './wait';
export * from './load';
