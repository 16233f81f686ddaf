export * from './data-source';
export * from './database-roles';
export * from './workspaces/tokens';
export * from './workspaces/workspace-bootstrap';
export * from './keyset-cursor';
export * from './retention';
export * from './sql';
export * from './postgres.module';
