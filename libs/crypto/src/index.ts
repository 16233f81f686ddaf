export * from './user-hash';
export * from './widget-secret';
export * from './secret-box';
export * from './claim-seal';
