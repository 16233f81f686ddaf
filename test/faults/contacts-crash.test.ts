import { createWidget, inParallel, nth, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(180_000);

const MESSAGES = 500;
const KILL_AFTER = 150;

describe('fault: the contacts service is killed during a burst', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem();
  });
  afterAll(() => system?.stop());

  it(`stores all ${MESSAGES} accepted messages exactly once after kill -9 and restart`, async () => {
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitors = await inParallel(10, 5, () => client.newVisitor());
    const contacts = system.processes.find((p) => p.name === 'contacts')!;

    let killed: Promise<void> | undefined;
    const accepted = await inParallel(MESSAGES, 20, async (i) => {
      if (i === KILL_AFTER) killed = contacts.stop('SIGKILL');
      const response = await client.postMessage(nth(visitors, i % visitors.length), { client_message_id: `burst-${i}`, text: `message ${i}` });
      expect(response.status).toBe(202);
      return response.body.message_id;
    });
    await killed;
    expect(contacts.child.signalCode).toBe('SIGKILL');
    // Some were stored before the kill, the rest wait in the stream: prove the restart is what finishes the job.
    const { before } = await system.sqlRow<{ before: string }>(`SELECT count(*) AS before FROM messages`);
    expect(Number(before)).toBeLessThan(MESSAGES);

    await system.start('contacts');
    const stored = await waitFor(
      `${MESSAGES} stored messages`,
      async () => {
        const rows = await system.sql<{ id: string }>(`SELECT id FROM messages`);
        return rows.length >= MESSAGES ? rows.map((row) => row.id) : undefined;
      },
      60_000,
    );
    expect(new Set(accepted).size).toBe(MESSAGES);
    expect(stored.sort()).toEqual([...accepted].sort());
    // Each visitor's messages sit in one conversation under one anonymous contact.
    const { conversations, anonymous } = await system.sqlRow<{ conversations: string; anonymous: string }>(
      `SELECT (SELECT count(*) FROM conversations) AS conversations, (SELECT count(*) FROM contacts WHERE NOT is_verified) AS anonymous`,
    );
    expect(Number(conversations)).toBe(visitors.length);
    expect(Number(anonymous)).toBe(visitors.length);
  });
});
