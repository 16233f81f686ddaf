/**
 * A grown database made by SQL (generate_series), for bench:data: ids derive from their row number
 * (an md5 of a prefix and the number, as a uuid), so each table can name the rows of another without a
 * lookup. Half the contacts are verified users (`grown-user-<n>`), half anonymous visitors; each has
 * one thread with its own visitor; messages spread over the threads, and the first contacts ("whales")
 * get a long thread each. Every message has its event in the visitors' timeline, as attribution leaves
 * it. Times spread over the last 20 days: inside every retention period, so no job prunes them meanwhile.
 */
import { RunningSystem } from '@inviaro/test-harness';
import { createHash } from 'node:crypto';

export interface GrownSizes {
  widgets: number;
  visitors: number;
  /** Half verified, half anonymous. */
  contacts: number;
  /** In all, the whales' included. */
  messages: number;
  failures: number;
  /** The messages of each whale: verified contacts grown-user-1, grown-user-2, ... */
  whales: number[];
}

/** The generated contact of verified user `grown-user-<n>`, as `id` makes it in SQL. */
export function grownContactId(n: number): string {
  const hex = createHash('md5').update(`u${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** A uuid from a prefix and a row number, in SQL: an md5 with the version and variant of a random (v4) uuid, which the API's id checks want. */
const id = (prefix: string, n: string) => v4(`md5('${prefix}' || (${n}))`);
const v4 = (md5: string) => `overlay(overlay(${md5} placing '4' from 13) placing '8' from 17)::uuid`;
/** A time in the last 20 days, the later the greater `n` is of `total`. */
const spread = (n: string, total: string) => `now() - interval '20 days' + (${n})::float8 / (${total}) * interval '19 days'`;

export async function growDatabase(system: RunningSystem, workspaceId: string, sizes: GrownSizes): Promise<void> {
  const anonymous = Math.floor(sizes.contacts / 2);
  const verified = sizes.contacts - anonymous;
  if (sizes.visitors < sizes.contacts) throw new Error('each contact has a visitor of its own: visitors >= contacts');
  const steps: Array<[string, string, unknown[]]> = [
    [
      'widgets',
      `INSERT INTO widgets (workspace_id, key, name, allowed_origins)
       SELECT $1, 'wt_grown_' || i, 'grown widget ' || i, ARRAY['https://shop.example'] FROM generate_series(1, $2::int - 1) i`,
      [workspaceId, sizes.widgets],
    ],
    [
      'visitors',
      `WITH w AS (SELECT array_agg(id ORDER BY id) AS ids FROM widgets WHERE workspace_id = $1)
       INSERT INTO visitors (id, widget_id, token_hash, created_at)
       SELECT ${id('v', 'i')}, w.ids[1 + i % cardinality(w.ids)], sha256(('grown-visitor-' || i)::bytea), ${spread('i', '$2')}
       FROM w, generate_series(1, $2::int) i`,
      [workspaceId, sizes.visitors],
    ],
    [
      'anonymous contacts',
      `INSERT INTO contacts (id, workspace_id, visitor_id, is_verified, created_at, last_seen_at)
       SELECT ${id('a', 'i')}, $1, ${id('v', 'i')}, false, ${spread('i', '$2')}, ${spread('i', '$2')} FROM generate_series(1, $2::int) i`,
      [workspaceId, anonymous],
    ],
    [
      'verified contacts',
      `INSERT INTO contacts (id, workspace_id, user_id, is_verified, email, email_at, created_at, last_seen_at)
       SELECT ${id('u', 'i')}, $1, 'grown-user-' || i, true, 'grown-user-' || i || '@example.com', ${spread('i', '$2')}, ${spread('i', '$2')}, ${spread('i', '$2')}
       FROM generate_series(1, $2::int) i`,
      [workspaceId, verified],
    ],
    [
      'conversations',
      `WITH w AS (SELECT array_agg(id ORDER BY id) AS ids FROM widgets WHERE workspace_id = $1)
       INSERT INTO conversations (id, contact_id, widget_id, visitor_id, created_at)
       SELECT CASE WHEN i <= $2 THEN ${id('ta', 'i')} ELSE ${id('tu', 'i - $2')} END,
              CASE WHEN i <= $2 THEN ${id('a', 'i')} ELSE ${id('u', 'i - $2')} END,
              w.ids[1 + i % cardinality(w.ids)], ${id('v', 'i')}, ${spread('i', '$3')}
       FROM w, generate_series(1, $3::int) i`,
      [workspaceId, anonymous, sizes.contacts],
    ],
    [
      'messages and their events',
      // Thread c of the contacts (anonymous ones first, as the conversations above); the whales' messages after the rest.
      `WITH spread_messages AS (
         SELECT k, 1 + (k::bigint * 7919) % $2::int AS c FROM generate_series(1, $3::int) k),
       whale_messages AS (
         SELECT w.n AS whale, w.size, k FROM unnest($4::int[]) WITH ORDINALITY AS w(size, n), generate_series(1, w.size) k),
       rows AS MATERIALIZED (
         SELECT ${id('m', 'k')} AS id, CASE WHEN c <= $1 THEN ${id('ta', 'c')} ELSE ${id('tu', 'c - $1')} END AS conversation_id,
                CASE WHEN c <= $1 THEN ${id('a', 'c')} ELSE ${id('u', 'c - $1')} END AS contact_id,
                ${id('v', 'c')} AS visitor_id, CASE WHEN c <= $1 THEN NULL ELSE 'grown-user-' || (c - $1) END AS user_id,
                ${spread('k', '$3')} AS at, 'grown message ' || k AS text
         FROM spread_messages
         UNION ALL
         SELECT ${v4("md5('w' || whale || '-' || k)")}, ${id('tu', 'whale')}, ${id('u', 'whale')}, ${id('v', '$1 + whale')}, 'grown-user-' || whale,
                ${spread('k', 'size')}, 'whale message ' || k
         FROM whale_messages),
       stored AS (INSERT INTO messages (id, conversation_id, author, text, created_at) SELECT id, conversation_id, 'visitor', text, at FROM rows)
       INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id) SELECT id, visitor_id, at, user_id, contact_id FROM rows`,
      [anonymous, sizes.contacts, sizes.messages - sizes.whales.reduce((a, b) => a + b, 0), sizes.whales],
    ],
    [
      'failure records',
      `WITH w AS (SELECT array_agg(id ORDER BY id) AS ids FROM widgets WHERE workspace_id = $1)
       INSERT INTO verification_failures (workspace_id, widget_id, visitor_id, correlation_id, claimed_user_id, reason, count, first_at, at)
       SELECT $1, w.ids[1 + v % cardinality(w.ids)], ${id('v', 'v')}, ${id('f', 'i')}, 'grown-user-' || (1 + i % $3::int), 'mismatch', 1,
              ${spread('i', '$2')}, ${spread('i', '$2')}
       FROM w, generate_series(1, $2::int) i, LATERAL (SELECT 1 + i % $4::int AS v) visitor`,
      [workspaceId, sizes.failures, verified, sizes.visitors],
    ],
  ];
  for (const [name, text, params] of steps) {
    const started = performance.now();
    await system.sql(text, params);
    console.error(`  ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const started = performance.now();
  await system.sql('VACUUM (ANALYZE)');
  console.error(`  vacuum and analyze: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * `count` more anonymous messages, received before now, in the run of the visitor that sent message
 * `firstMessageId` (its live anonymous contact and its thread), as if it had sent them. Returns that contact.
 */
export async function seedAnonymousRun(system: RunningSystem, firstMessageId: string, count: number): Promise<string> {
  const thread = await system.sqlRow<{ id: string; contact_id: string; visitor_id: string }>(
    `SELECT v.id, v.contact_id, v.visitor_id FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id = $1`,
    [firstMessageId],
  );
  await system.sql(
    `WITH rows AS MATERIALIZED (
       SELECT gen_random_uuid() AS id, now() - interval '1 hour' + k * interval '1 ms' AS at, 'anonymous ' || k AS text FROM generate_series(1, $4::int) k),
     stored AS (INSERT INTO messages (id, conversation_id, author, text, created_at) SELECT id, $1, 'visitor', text, at FROM rows)
     INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id) SELECT id, $3, at, NULL, $2 FROM rows`,
    [thread.id, thread.contact_id, thread.visitor_id, count],
  );
  return thread.contact_id;
}
