/// <reference types="jest" />
import { loadUserId, SteadyLoad } from './steady-load';
import { RunningSystem } from './system';
import { waitFor } from './wait';

interface StoredMessage {
  id: string;
  /** The verifier's verdict as the contacts service recorded it: the verified user id, or null (anonymous). */
  verified_as: string | null;
  /** By the fold rule (docs/data-model.md): the user of the visitor's first verified event received at or after this one, or null. */
  expected_user: string | null;
  contact_verified: boolean;
  contact_user: string | null;
}

/**
 * The promise of a 202 after a fault: every message the load sent was accepted, each accepted one is
 * stored exactly once; every valid claim verified and no other did; and every message sits where the
 * fold rule puts it: under its user's contact when it or a later event of its visitor verified, else
 * under the visitor's anonymous contact.
 */
export async function expectStoredExactlyOnce(system: RunningSystem, load: SteadyLoad): Promise<void> {
  const accepted = load.accepted();
  expect(accepted).toHaveLength(load.sent.length);
  const ids = accepted.map((message) => message.messageId!);
  const stored = await waitFor(
    `${ids.length} accepted messages stored`,
    async () => {
      const rows = await system.sql<StoredMessage>(
        `SELECT m.id, e.user_id AS verified_as, c.is_verified AS contact_verified, c.user_id AS contact_user,
           (SELECT n.user_id FROM visitor_events n
            WHERE n.visitor_id = e.visitor_id AND n.user_id IS NOT NULL AND (n.received_at, n.message_id) >= (e.received_at, e.message_id)
            ORDER BY n.received_at, n.message_id LIMIT 1) AS expected_user
         FROM messages m JOIN visitor_events e ON e.message_id = m.id
         JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id
         WHERE m.id = ANY($1)`,
        [ids],
      );
      return rows.length === ids.length ? rows : undefined;
    },
    90_000,
    250,
  );
  expect(new Set(stored.map((row) => row.id)).size).toBe(ids.length);
  const byId = new Map(stored.map((row) => [row.id, row]));
  const wrongVerdicts = accepted
    .map((message) => ({ ...message, verified_as: byId.get(message.messageId!)?.verified_as }))
    .filter((message) => message.verified_as !== (message.claim === 'verified' ? loadUserId(message.visitor) : null));
  expect(wrongVerdicts).toEqual([]);
  const misplaced = stored.filter((row) =>
    row.expected_user === null ? row.contact_verified : !row.contact_verified || row.contact_user !== row.expected_user,
  );
  expect(misplaced).toEqual([]);
  // Runs were folded under the fault (else the placement check above proved nothing about folds).
  const kinds = new Set(accepted.map((message) => message.claim));
  if (kinds.has('verified') && kinds.size > 1) expect(stored.filter((row) => row.verified_as === null && row.expected_user !== null).length).toBeGreaterThan(0);
}
