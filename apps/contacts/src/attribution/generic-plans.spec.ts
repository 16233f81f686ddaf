import { randomUUID } from 'node:crypto';
import { ContactAnonymousData, ContactVerifiedData } from '@inviaro/contracts';
import { Sql } from '@inviaro/persistence';
import { migratedDatabaseSuite } from '@inviaro/test-harness';
import { PoolClient, QueryConfig, QueryResult } from 'pg';
import { erasedEvents } from '../erasure/tombstones';
import { AttributionInput } from './attribution-input';
import { upsertLiveContacts, upsertVerifiedContacts } from './attributes';
import { land } from './landing';
import { partitionPlain } from './plain-events';
import { conversationsOf } from './threads';

/**
 * The attribution store prepares its statements once per connection, and PostgreSQL then keeps a
 * generic plan made from the statistics of that moment: on a new database, tables it believes empty.
 * A plan that hashes a whole table would then read it in full on every batch for the life of the
 * connection, growing with the table. So every per-batch statement must reach rows by key whatever
 * the statistics: each is planned here as a generic plan on empty, never-analysed tables.
 */

/** The statements a function sends, recorded and not run (each answers no rows). */
function recorder(): { sql: Sql; sent: QueryConfig[] } {
  const sent: QueryConfig[] = [];
  return { sent, sql: { query: async (config: QueryConfig) => (sent.push(config), { rows: [] } as unknown as QueryResult) } };
}

/** What the statements are given: ids, times, texts and flags, alone or in arrays. */
type Scalar = string | number | boolean | null | undefined;

/** A value as an SQL literal, for EXECUTE (which takes no bound parameters): arrays in PostgreSQL's text form. */
function literal(client: PoolClient, value: Scalar | Scalar[]): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    const element = (item: Scalar) => (item === null || item === undefined ? 'NULL' : `"${String(item).replace(/["\\]/g, '\\$&')}"`);
    return client.escapeLiteral(`{${value.map(element).join(',')}}`);
  }
  return client.escapeLiteral(String(value));
}

/** The generic plan of a statement, as the contacts service's role. */
async function genericPlan(client: PoolClient, statement: QueryConfig): Promise<string> {
  await client.query(`SET plan_cache_mode = force_generic_plan`);
  await client.query(`PREPARE checked AS ${statement.text}`);
  try {
    const values = ((statement.values ?? []) as Array<Scalar | Scalar[]>).map((value) => literal(client, value));
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE checked(${values.join(', ')})`);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query(`DEALLOCATE checked`);
  }
}

const message = () => ({
  workspace_id: randomUUID(),
  widget_id: randomUUID(),
  visitor_id: randomUUID(),
  message_id: randomUUID(),
  kind: 'message' as const,
  text: 'hello',
  received_at: new Date().toISOString(),
});
const verifiedEvent: ContactVerifiedData = { ...message(), user_id: 'usr_1', secret_version: 1 };
const anonymousEvent: ContactAnonymousData = message();

describe('attribution statements on a new database', () => {
  const db = migratedDatabaseSuite();

  const batch: AttributionInput[] = [
    { kind: 'verified', event: verifiedEvent },
    { kind: 'anonymous', event: anonymousEvent },
    { kind: 'anonymous', event: message() },
  ];
  const statements: Array<[string, (sql: Sql) => Promise<unknown>]> = [
    ['the erasures a batch meets (erasedEvents)', (sql) => erasedEvents(sql, batch)],
    ["the users' contacts (upsertVerifiedContacts)", (sql) => upsertVerifiedContacts(sql, [verifiedEvent])],
    ['the live anonymous contacts (upsertLiveContacts)', (sql) => upsertLiveContacts(sql, [anonymousEvent])],
    ['the timeline around each event (partitionPlain)', (sql) => partitionPlain(sql, batch)],
    [
      'the landing of plain events (land)',
      (sql) =>
        land(
          sql,
          batch.map((input) => ({ event: input.event, contactId: randomUUID(), homeContactId: randomUUID(), userId: null })),
        ),
    ],
    ['the threads of (contact, visitor) (conversationsOf)', (sql) => conversationsOf(sql, [{ contactId: randomUUID(), event: verifiedEvent }])],
  ];

  it.each(statements)('%s reach rows by key, not by reading a table through', async (_name, send) => {
    const { sql, sent } = recorder();
    await send(sql);
    expect(sent.length).toBeGreaterThan(0);
    const client = await db.contacts.connect();
    try {
      for (const statement of sent) {
        const plan = await genericPlan(client, statement);
        expect(plan).toMatch(/Index (Only )?Scan|Conflict Arbiter Indexes/); // the plan was read, and it reaches rows by an index
        expect(plan).not.toMatch(/Seq Scan/);
      }
    } finally {
      client.release();
    }
  });
});
