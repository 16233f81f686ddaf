/// <reference types="jest" />
import { SteadyLoad } from './steady-load';
import { RunningSystem } from './system';
import { waitFor } from './wait';

/**
 * The promise of a 202 after a fault: every message the load sent was accepted, each accepted one
 * is stored exactly once, and none with a wrong or no claim sits under a verified contact.
 */
export async function expectStoredExactlyOnce(system: RunningSystem, load: SteadyLoad): Promise<void> {
  const accepted = load.accepted();
  expect(accepted).toHaveLength(load.sent.length);
  const ids = accepted.map((message) => message.messageId!);
  const stored = await waitFor(
    `${ids.length} accepted messages stored`,
    async () => {
      const rows = await system.sql<{ id: string; is_verified: boolean }>(
        `SELECT m.id, c.is_verified FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = ANY($1)`,
        [ids],
      );
      return rows.length === ids.length ? rows : undefined;
    },
    90_000,
    250,
  );
  expect(new Set(stored.map((row) => row.id)).size).toBe(ids.length);
  const verifiedById = new Map(stored.map((row) => [row.id, row.is_verified]));
  const wronglyVerified = accepted.filter((message) => message.claim !== 'verified' && verifiedById.get(message.messageId!));
  expect(wronglyVerified).toEqual([]);
}
