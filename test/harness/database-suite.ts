/// <reference types="jest" />
import { openPool, runMigrations } from '@inviaro/persistence';
import { Pool } from 'pg';
import { startServers } from './servers';

/** A database of its own on a real PostgreSQL, migrated, as its owner and as the contacts service's role: for the contacts service's specs. */
export interface MigratedDatabase {
  /** The owner role: what a spec arranges (workspaces, widgets, rows in bulk, ANALYZE). */
  owner: Pool;
  /** The contacts service's role, with its grants only: what the code under test runs as. */
  contacts: Pool;
}

/** Starting PostgreSQL takes seconds on a busy machine: beyond jest's default 5 s for a hook. */
const START_TIMEOUT_MS = 60_000;

/** The database, made before a spec's tests and stopped after them. */
export function migratedDatabaseSuite(): MigratedDatabase {
  const suite = {} as MigratedDatabase;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const servers = await startServers();
    await runMigrations(servers.databaseUrl);
    // A broken idle connection is the test's failure to see, not a crash of the test process.
    const owner = openPool(servers.databaseUrl, 2, () => undefined);
    const contacts = openPool(servers.serviceDatabaseUrls.contacts, 2, () => undefined);
    Object.assign(suite, { owner, contacts });
    stop = async () => {
      await Promise.all([owner.end(), contacts.end()]);
      await servers.stop();
    };
  }, START_TIMEOUT_MS);
  afterAll(() => stop?.());
  return suite;
}
