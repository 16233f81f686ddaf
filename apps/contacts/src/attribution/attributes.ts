import { ContactAnonymousData, ContactVerifiedData, userKey } from '@inviaro/contracts';
import { execute, queryRows, Sql } from '@inviaro/persistence';

/**
 * Attributes (docs/data-model.md): `email` and `name` keep the value of the latest event *received*
 * that carried one — not the latest handled — so delivery order does not change them; on a tie in
 * time, the greater value. A signed value (contact.verified's `signed_attributes`) outranks every
 * unsigned one: a later signed value replaces it, an unsigned one never does. The rule is a maximum
 * over (signed, received at, value), which is why any delivery order ends alike. Never identity.
 */

const ATTRIBUTES = ['email', 'name'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/** A value, when the event that carried it was received, and whether it came signed. */
export interface Stamped {
  value: string;
  at: string;
  signed: boolean;
}

/** The rule in TypeScript, for what a batch gathers before it meets the database: the one of two values that ranks higher. */
export function laterOf(current: Stamped | undefined, value: string | undefined, at: string, signed = false): Stamped | undefined {
  if (value === undefined || value === null) return current;
  const candidate = { value, at, signed };
  if (!current) return candidate;
  if (signed !== current.signed) return signed ? candidate : current;
  const [a, b] = [Date.parse(at), Date.parse(current.at)];
  return a > b || (a === b && byCodePoint(value, current.value) > 0) ? candidate : current;
}

/** The order of `COLLATE "C"` on UTF-8 text, which the SQL side of the rule uses: by code point, not by UTF-16 unit as `<` compares. */
function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The rule in SQL: does `value`, received at `at`, signed or not, replace what the contacts row holds? */
const newer = (column: Attribute, value: string, at: string, signed: string) =>
  `(${value} IS NOT NULL AND (contacts.${column}_at IS NULL OR
    (${signed}, ${at}, ${value} COLLATE "C") > (contacts.${column}_verified, contacts.${column}_at, contacts.${column} COLLATE "C")))`;
const keepLatest = (column: Attribute, value: string, at: string, signed: string) =>
  `${column} = CASE WHEN ${newer(column, value, at, signed)} THEN ${value} ELSE contacts.${column} END,
   ${column}_at = CASE WHEN ${newer(column, value, at, signed)} THEN ${at} ELSE contacts.${column}_at END,
   ${column}_verified = CASE WHEN ${newer(column, value, at, signed)} THEN ${signed} ELSE contacts.${column}_verified END`;

/** One contact as a batch's events describe it: the latest attributes and the last time seen. */
interface GatheredContact {
  workspace: string;
  email?: Stamped;
  name?: Stamped;
  lastSeen: string;
}

/** One user's contact as a batch's verified events describe it. */
export interface VerifiedContactRow extends GatheredContact {
  user: string;
}

/** One visitor's live anonymous contact as a batch's anonymous events describe it. */
interface LiveContactRow extends GatheredContact {
  visitor: string;
}

/** The batch's events gathered per contact (by `keyOf`), each attribute kept by the rule. */
function gather<E extends ContactAnonymousData | ContactVerifiedData, R extends GatheredContact>(
  events: E[],
  keyOf: (event: E) => string,
  rowOf: (event: E) => R,
  signedOf: (event: E) => Set<string>,
): R[] {
  const contacts = new Map<string, R>();
  for (const event of events) {
    const key = keyOf(event);
    const entry = contacts.get(key) ?? rowOf(event);
    const signed = signedOf(event);
    entry.email = laterOf(entry.email, event.email, event.received_at, signed.has('email'));
    entry.name = laterOf(entry.name, event.name, event.received_at, signed.has('name'));
    if (Date.parse(event.received_at) > Date.parse(entry.lastSeen)) entry.lastSeen = event.received_at;
    contacts.set(key, entry);
  }
  return [...contacts.values()];
}

/** The attributes' parameter arrays in the upserts' order: each attribute's value and time, and whether it came signed where `signed` is stored. */
function attributeColumns(rows: GatheredContact[], signed: boolean): unknown[][] {
  return ATTRIBUTES.flatMap((attribute) => [
    rows.map((r) => r[attribute]?.value ?? null),
    rows.map((r) => r[attribute]?.at ?? null),
    ...(signed ? [rows.map((r) => r[attribute]?.signed ?? false)] : []),
  ]);
}

/** The batch's verified events gathered per user (workspace, user_id): the latest attributes and the last time seen. */
export function verifiedContactRows(events: ContactVerifiedData[]): VerifiedContactRow[] {
  return gather(
    events,
    (event) => userKey(event.workspace_id, event.user_id),
    (event) => ({ workspace: event.workspace_id, user: event.user_id, lastSeen: event.received_at }),
    (event) => new Set(event.signed_attributes),
  );
}

/** Contact ids by userKey(workspace, user_id). */
export type VerifiedContacts = Map<string, string>;

/**
 * The contact (workspace, user_id) of every verified event, created on first sight, in one
 * statement, in a fixed order (so that two transactions lock shared users in the same order),
 * its attributes kept by the rule whatever the delivery order.
 */
export async function upsertVerifiedContacts(sql: Sql, events: ContactVerifiedData[]): Promise<VerifiedContacts> {
  const rows = verifiedContactRows(events);
  if (rows.length === 0) return new Map();
  const upserted = await queryRows<{ id: string; workspace_id: string; user_id: string }>(
    sql,
    `INSERT INTO contacts (workspace_id, user_id, is_verified, email, email_at, email_verified, name, name_at, name_verified, last_seen_at)
     SELECT w, u, true, e, ea, ev, n, na, nv, ls
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::boolean[], $6::text[], $7::timestamptz[], $8::boolean[], $9::timestamptz[])
       AS t(w, u, e, ea, ev, n, na, nv, ls)
     ORDER BY w, u
     ON CONFLICT (workspace_id, user_id) WHERE user_id IS NOT NULL DO UPDATE SET
       ${keepLatest('email', 'EXCLUDED.email', 'EXCLUDED.email_at', 'EXCLUDED.email_verified')},
       ${keepLatest('name', 'EXCLUDED.name', 'EXCLUDED.name_at', 'EXCLUDED.name_verified')},
       last_seen_at = GREATEST(contacts.last_seen_at, EXCLUDED.last_seen_at)
     RETURNING id, workspace_id, user_id`,
    [rows.map((r) => r.workspace), rows.map((r) => r.user), ...attributeColumns(rows, true), rows.map((r) => r.lastSeen)],
  );
  return new Map(upserted.map((row) => [userKey(row.workspace_id, row.user_id), row.id]));
}

/** The contact upsertVerifiedContacts made for this event's user. */
export function verifiedContactOf(contacts: VerifiedContacts, event: ContactVerifiedData): string {
  const id = contacts.get(userKey(event.workspace_id, event.user_id));
  if (id === undefined) throw new Error(`attribution: no contact was upserted for the user of event ${event.message_id}`);
  return id;
}

/** Contact ids by visitor id. */
export type LiveContacts = Map<string, string>;

const NEVER_SIGNED = new Set<string>();

/**
 * The live anonymous contact of each visitor of `events` (all of them joining it), created on first
 * sight, in one statement, its attributes and time seen kept by the rule (anonymous values are never signed).
 */
export async function upsertLiveContacts(sql: Sql, events: ContactAnonymousData[]): Promise<LiveContacts> {
  const rows: LiveContactRow[] = gather(
    events,
    (event) => event.visitor_id,
    (event) => ({ workspace: event.workspace_id, visitor: event.visitor_id, lastSeen: event.received_at }),
    () => NEVER_SIGNED,
  );
  if (rows.length === 0) return new Map();
  const upserted = await queryRows<{ id: string; visitor_id: string }>(
    sql,
    `INSERT INTO contacts (workspace_id, visitor_id, is_verified, email, email_at, name, name_at, last_seen_at)
     SELECT w, v, false, e, ea, n, na, ls
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::timestamptz[], $7::timestamptz[]) AS t(w, v, e, ea, n, na, ls)
     ORDER BY v
     ON CONFLICT (visitor_id) WHERE visitor_id IS NOT NULL AND merged_into_id IS NULL DO UPDATE SET
       ${keepLatest('email', 'EXCLUDED.email', 'EXCLUDED.email_at', 'false')},
       ${keepLatest('name', 'EXCLUDED.name', 'EXCLUDED.name_at', 'false')},
       last_seen_at = GREATEST(contacts.last_seen_at, EXCLUDED.last_seen_at)
     RETURNING id, visitor_id`,
    [rows.map((r) => r.workspace), rows.map((r) => r.visitor), ...attributeColumns(rows, false), rows.map((r) => r.lastSeen)],
  );
  return new Map(upserted.map((row) => [row.visitor_id, row.id]));
}

/** The live contact upsertLiveContacts made for this event's visitor. */
export function liveContactOf(contacts: LiveContacts, event: ContactAnonymousData): string {
  const id = contacts.get(event.visitor_id);
  if (id === undefined) throw new Error(`attribution: no live contact was upserted for the visitor of event ${event.message_id}`);
  return id;
}

/** An anonymous event's attributes (never signed) and time seen, kept by the rule on the retired contact of the run it joined. */
export async function keepAnonymousAttributes(sql: Sql, contactId: string, event: ContactAnonymousData): Promise<void> {
  await execute(
    sql,
    `UPDATE contacts SET ${keepLatest('email', '$2::text', '$4::timestamptz', 'false')}, ${keepLatest('name', '$3::text', '$4::timestamptz', 'false')},
       last_seen_at = GREATEST(last_seen_at, $4::timestamptz)
     WHERE id = $1`,
    [contactId, event.email ?? null, event.name ?? null, event.received_at],
  );
}

/** Email, name and last seen of an anonymous contact, from the events of its run (after a split; anonymous values are never signed). */
export async function recomputeAttributes(sql: Sql, contactId: string): Promise<void> {
  await execute(
    sql,
    `UPDATE contacts c SET
       (email, email_at) = (SELECT email, received_at FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL AND email IS NOT NULL
                            ORDER BY received_at DESC, email COLLATE "C" DESC LIMIT 1),
       (name, name_at) = (SELECT name, received_at FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL AND name IS NOT NULL
                          ORDER BY received_at DESC, name COLLATE "C" DESC LIMIT 1),
       last_seen_at = COALESCE((SELECT max(received_at) FROM visitor_events WHERE contact_id = c.id AND user_id IS NULL), c.last_seen_at)
     WHERE c.id = $1`,
    [contactId],
  );
}
