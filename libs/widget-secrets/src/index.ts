export * from './widget-secret.vault';
export * from './secret-cache';
export * from './previous-secret-uses';
export * from './secrets.module';
export * from './claim-keys';
