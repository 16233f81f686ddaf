import { ContactVerifiedData } from '@inviaro/contracts';
import { Sql, transaction } from '@inviaro/persistence';
import { anonymousVisitors, migratedDatabaseSuite, nth } from '@inviaro/test-harness';
import { randomUUID } from 'node:crypto';
import { upsertVerifiedContacts, verifiedContactOf } from './attributes';
import { closeRun } from './close-run';

const RUN = 2_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');

describe('closeRun on real PostgreSQL: a run of any length is moved by statements, none of its ids travel to the service', () => {
  const db = migratedDatabaseSuite();

  /** A visitor whose live anonymous contact holds RUN messages, received one every 2 ms from T0 (none at an odd millisecond). */
  async function visitorWithRun() {
    const { workspace_id, widget_id, visitors } = await anonymousVisitors(db.owner, 1);
    const { id: visitor, contact_id: anonymous } = nth(visitors, 0);
    await db.owner.query(
      `WITH thread AS (INSERT INTO conversations (contact_id, widget_id, visitor_id) VALUES ($1, $2, $3) RETURNING id),
       rows AS MATERIALIZED (SELECT gen_random_uuid() AS id, to_timestamp($4::double precision / 1000) + k * interval '2 ms' AS at FROM generate_series(0, $5::int - 1) k),
       stored AS (INSERT INTO messages (id, conversation_id, author, text, created_at) SELECT rows.id, thread.id, 'visitor', 'anonymous', rows.at FROM rows, thread)
       INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id) SELECT id, $3, at, NULL, $1 FROM rows`,
      [anonymous, widget_id, visitor, T0, RUN],
    );
    return { workspace_id, widget_id, visitor, anonymous };
  }

  /** closeRun for an identify received at `at`, in a transaction: the most rows any of its statements returned. */
  async function identify(run: Awaited<ReturnType<typeof visitorWithRun>>, at: number, userId: string) {
    const event = {
      kind: 'identify',
      message_id: randomUUID(),
      workspace_id: run.workspace_id,
      widget_id: run.widget_id,
      visitor_id: run.visitor,
      received_at: new Date(at).toISOString(),
      user_id: userId,
      secret_version: 1,
    } as ContactVerifiedData;
    let mostRows = 0;
    const user = await transaction(db.contacts, async (tx) => {
      const counting: Sql = {
        query: async (config) => {
          const result = await tx.query(config);
          mostRows = Math.max(mostRows, result.rows.length);
          return result;
        },
      };
      const contactId = verifiedContactOf(await upsertVerifiedContacts(counting, [event]), event);
      await closeRun(counting, event, contactId);
      return contactId;
    });
    const threads = await db.owner.query<{ contact_id: string; messages: number }>(
      `SELECT v.contact_id, count(m.id)::int AS messages FROM conversations v JOIN messages m ON m.conversation_id = v.id WHERE v.visitor_id = $1 GROUP BY v.contact_id`,
      [run.visitor],
    );
    return { user, mostRows, messages: new Map(threads.rows.map((row) => [row.contact_id, row.messages])) };
  }

  it('in order: the live contact is retired into the user, with its thread', async () => {
    const run = await visitorWithRun();
    const { user, mostRows, messages } = await identify(run, T0 + 2 * RUN, 'usr_in_order');
    expect(mostRows).toBeLessThanOrEqual(1);
    expect([...messages]).toEqual([[user, RUN]]);
    expect((await db.owner.query(`SELECT merged_into_id FROM contacts WHERE id = $1`, [run.anonymous])).rows).toEqual([{ merged_into_id: user }]);
  });

  it('delivered late: the part of the run received before the identify is split off and retired, its messages moved', async () => {
    const run = await visitorWithRun();
    const { user, mostRows, messages } = await identify(run, T0 + RUN - 1, 'usr_late');
    expect(mostRows).toBeLessThanOrEqual(1);
    expect(messages.get(user)).toBe(RUN / 2);
    expect(messages.get(run.anonymous)).toBe(RUN / 2);
    const retired = await db.owner.query(
      `SELECT count(*)::int AS events FROM visitor_events e JOIN contacts c ON c.id = e.contact_id WHERE c.merged_into_id = $1`,
      [user],
    );
    expect(retired.rows).toEqual([{ events: RUN / 2 }]);
  });
});
