/// <reference types="jest" />
import { createWorkspace, newWidgetKey, onlyRow, openPool, runMigrations } from '@inviaro/persistence';
import { randomUUID } from 'node:crypto';
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

/** Visitors of one new widget (in a workspace of its own), each with its live anonymous contact. */
export interface AnonymousVisitors {
  workspace_id: string;
  widget_id: string;
  visitors: Array<{ id: string; contact_id: string }>;
}

/** Arranges `count` visitors of a new widget, each with its anonymous contact, as the owner. */
export async function anonymousVisitors(owner: Pool, count: number): Promise<AnonymousVisitors> {
  const { workspace_id } = await createWorkspace(owner, 'spec');
  const { id: widget_id } = await onlyRow<{ id: string }>(
    owner,
    `INSERT INTO widgets (workspace_id, key, name, allowed_origins) VALUES ($1, $2, 'w', '{}') RETURNING id`,
    [workspace_id, newWidgetKey()],
  );
  const visitors = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    await owner.query(`INSERT INTO visitors (id, widget_id, token_hash) VALUES ($1, $2, uuid_send($1))`, [id, widget_id]);
    const contact = await onlyRow<{ id: string }>(
      owner,
      `INSERT INTO contacts (workspace_id, visitor_id, is_verified, last_seen_at) VALUES ($1, $2, false, now()) RETURNING id`,
      [workspace_id, id],
    );
    visitors.push({ id, contact_id: contact.id });
  }
  return { workspace_id, widget_id, visitors };
}
