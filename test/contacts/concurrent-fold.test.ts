import { userHash } from '@inviaro/crypto';
import { createWidget, inParallel, nth, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(120_000);

const DEVICES = 20;

describe('many devices verifying as one new user at the same moment, on two contacts instances', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem();
    await system.start('contacts');
  });
  afterAll(() => system?.stop());

  it('ends in one verified contact with every message once and every anonymous contact retired into it', async () => {
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const devices = await inParallel(DEVICES, 10, () => client.newVisitor());
    const anonymous = await inParallel(DEVICES, 10, (i) =>
      client.postMessage(nth(devices, i), { client_message_id: 'before', text: `device ${i} before login` }),
    );
    await waitFor('the anonymous messages', async () => {
      const rows = await system.sql(`SELECT 1 FROM messages WHERE id = ANY($1)`, [anonymous.map((r) => r.body.message_id)]);
      return rows.length === DEVICES ? true : undefined;
    });

    const claim = { user_id: 'usr_new', user_hash: userHash('usr_new', widget.secret) };
    const verified = await Promise.all(
      devices.map((token, i) => client.postMessage(token, { client_message_id: 'after', text: `device ${i} logged in`, ...claim })),
    );
    const ids = [...anonymous, ...verified].map((r) => r.body.message_id);

    const contact = await waitFor('every message in the verified contact', async () => {
      const rows = await system.sql<{ id: string; messages: string }>(
        `SELECT c.id, count(m.id) AS messages FROM contacts c JOIN conversations v ON v.contact_id = c.id JOIN messages m ON m.conversation_id = v.id
         WHERE c.user_id = 'usr_new' GROUP BY c.id`,
      );
      return rows.length === 1 && Number(rows[0]?.messages) === 2 * DEVICES ? rows[0] : undefined;
    });
    expect(await system.sql(`SELECT count(*)::int AS n FROM contacts WHERE user_id = 'usr_new'`)).toEqual([{ n: 1 }]);
    expect(await system.sql(`SELECT count(DISTINCT id)::int AS n FROM messages WHERE id = ANY($1)`, [ids])).toEqual([{ n: 2 * DEVICES }]);
    const retired = await system.sql<{ merged_into_id: string }>(
      `SELECT merged_into_id FROM contacts WHERE NOT is_verified AND visitor_id IN (SELECT id FROM visitors WHERE widget_id = $1)`,
      [widget.widgetId],
    );
    expect(retired).toHaveLength(DEVICES);
    expect(new Set(retired.map((r) => r.merged_into_id))).toEqual(new Set([contact.id]));
  });
});
