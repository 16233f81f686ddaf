import { createWorkspace } from '@inviaro/persistence';
import { migratedDatabaseSuite } from '@inviaro/test-harness';
import { Pool, QueryConfig } from 'pg';
import { InboxQueries } from './inbox-queries';

/** Contacts of one workspace, each with an email of its own: enough that reading them all is the wrong plan. */
const CONTACTS = 100_000;

/**
 * The inbox's search by email on a workspace with many contacts: PostgreSQL has to know that one email
 * matches few contacts, or it walks the newest-first index through every contact filtering by email
 * (356 ms a call at 1M contacts in `npm run bench:data`). Statistics of a partial index's expression are
 * not used for estimates, so `lower(email)` has statistics of its own (migration 1765000060000).
 */
describe('the inbox search by email on a grown workspace', () => {
  const db = migratedDatabaseSuite();
  let workspaceId: string;
  beforeAll(async () => {
    workspaceId = (await createWorkspace(db.owner, 'search')).workspace_id;
    await db.owner.query(
      `INSERT INTO contacts (workspace_id, user_id, is_verified, email, email_at, created_at, last_seen_at)
       SELECT $1, 'user-' || i, true, 'User-' || i || '@Example.com', now(), now() - i * interval '1 second', now() FROM generate_series(1, $2::int) i`,
      [workspaceId, CONTACTS],
    );
    await db.owner.query('ANALYZE contacts');
  }, 120_000);

  it('expects the few contacts with that email, so that it reads them by their index, not the whole workspace in order', async () => {
    // The statement the inbox sends, as it sends it.
    const sent: QueryConfig[] = [];
    const recording = { query: (config: QueryConfig) => (sent.push(config), db.contacts.query(config)) } as unknown as Pool;
    const found = await new InboxQueries(recording).list({ workspace_id: workspaceId, email: 'user-90000@example.com', limit: 50 });
    expect(found.contacts.map((contact) => contact.user_id)).toEqual(['user-90000']);

    const [statement] = sent;
    const { rows } = await db.contacts.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN ${statement!.text}`, values: statement!.values });
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    // What the planner expects to read from contacts: the few with that email (1), not a share of them all (0.5%
    // of the workspace, PostgreSQL's guess without statistics, which makes walking every contact look cheap).
    const expected = [...plan.matchAll(/on contacts .*?rows=(\d+)/g)].map((match) => Number(match[1]));
    expect(expected.length).toBeGreaterThan(0);
    expect(Math.max(...expected)).toBeLessThanOrEqual(10);
  });
});
