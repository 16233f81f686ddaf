import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM } from '@inviaro/bus';
import { connectTestNats, readEvents, waitFor, WidgetStream, widgetSuite } from '@inviaro/test-harness';
import { Client } from 'pg';

jest.setTimeout(120_000);

type History = { contact: { is_verified: boolean }; messages: Array<{ text: string }> };

describe('every device that verifies as one user lands in one contact, with its whole history', () => {
  // One attribution transaction at a time: a fold that kept a batch slot would hold every other visitor's events.
  const suite = widgetSuite({ serviceEnv: { ATTRIBUTION_TRANSACTIONS: '1' } });

  const claim = (userId: string, secret = suite.widget.secret) => ({ user_id: userId, user_hash: userHash(userId, secret) });
  const texts = async (token: string, extra: Record<string, unknown>, count: number) =>
    waitFor(`${count} messages`, async () => {
      const response = await suite.client.call<History>('history', { visitor_token: token, ...extra });
      return response.body.messages?.length === count ? response.body : undefined;
    });

  it('folds each device’s anonymous history into the verified contact, shows it only to a claim that verifies now', async () => {
    const laptop = await suite.client.newVisitor();
    const phone = await suite.client.newVisitor();
    await suite.client.postMessage(laptop, { client_message_id: 'l1', text: 'laptop before login' });
    await suite.client.postMessage(phone, { client_message_id: 'p1', text: 'phone before login' });
    await texts(laptop, {}, 1);
    await texts(phone, {}, 1);

    const phoneStream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: phone, ...claim('usr_ana') });
    try {
      await suite.client.postMessage(laptop, { client_message_id: 'l2', text: 'laptop logged in', ...claim('usr_ana'), email: 'ana@example.com' });
      expect((await suite.client.call('identify', { visitor_token: phone, ...claim('usr_ana'), name: 'Ana' })).status).toBe(202);

      const all = await texts(laptop, claim('usr_ana'), 3);
      expect(all.contact).toEqual({ is_verified: true });
      expect(all.messages.map((m) => m.text).sort()).toEqual(['laptop before login', 'laptop logged in', 'phone before login']);
      expect((await texts(phone, claim('usr_ana'), 3)).messages).toHaveLength(3);
      // The phone's open stream saw the laptop's verified message live.
      await waitFor('the laptop’s message on the phone', async () => (phoneStream.messages().some((m) => m.text === 'laptop logged in') ? true : undefined));
    } finally {
      phoneStream.close();
    }

    // Without a claim, the laptop sees only its own anonymous history: none left, it was folded.
    expect((await suite.client.call<History>('history', { visitor_token: laptop })).body).toEqual({
      contact: { is_verified: false },
      messages: [],
      next_cursor: null,
      identity_required: false,
      sign_in_prompt: null,
    });
    // A wrong claim is no way in either.
    expect((await suite.client.call<History>('history', { visitor_token: laptop, ...claim('usr_ana', 'c'.repeat(64)) })).body.contact).toEqual({
      is_verified: false,
    });

    const ana = await suite.system.sqlRow<{ id: string; email: string; name: string }>(`SELECT id, email, name FROM contacts WHERE user_id = 'usr_ana'`);
    expect(ana).toEqual({ id: expect.any(String), email: 'ana@example.com', name: 'Ana' });
    const retired = await suite.system.sql(`SELECT visitor_id FROM contacts WHERE merged_into_id = $1`, [ana.id]);
    expect(retired).toHaveLength(2);
    const folded = await readEvents<{ into_contact_id: string; user_id: string }>(suite.system.servers.natsUrl, EVENT_STREAM, 'contact.folded');
    expect(folded.filter((e) => e.data.into_contact_id === ana.id)).toHaveLength(2);
  });

  it('a held fold holds no other visitor’s message; the visitor’s own later message waits for its fold', async () => {
    const { natsUrl } = suite.system.servers;
    const storedIds = async () => new Set((await readEvents<{ message_id: string }>(natsUrl, EVENT_STREAM, 'message.stored')).map((e) => e.data.message_id));
    const folded = async () => (await suite.system.sql(`SELECT 1 FROM contacts WHERE id = $1 AND merged_into_id IS NOT NULL`, [anonymous])).length > 0;
    const folding = await suite.client.newVisitor();
    const before = (await suite.client.postMessage(folding, { client_message_id: 'h1', text: 'before login' })).body.message_id;
    await waitFor('the anonymous message stored', async () => ((await storedIds()).has(before) ? true : undefined));
    const { contact_id: anonymous } = await suite.system.sqlRow<{ contact_id: string }>(
      `SELECT v.contact_id FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id = $1`,
      [before],
    );

    // The fold moves the anonymous contact's thread: a session that locks that row holds the fold, as a long fold would run.
    const holder = new Client({ connectionString: suite.system.servers.databaseUrl });
    await holder.connect();
    const nc = await connectTestNats(natsUrl);
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM conversations WHERE contact_id = $1 FOR UPDATE`, [anonymous]);
      const { pid } = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!;
      expect((await suite.client.call('identify', { visitor_token: folding, ...claim('usr_held') })).status).toBe(202);
      await waitFor('the fold waiting for the held row', async () =>
        (await suite.system.sql(`SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid])).length > 0 ? true : undefined,
      );

      // Its own later message reaches the contacts service before the other visitor's: both in its hands, unacknowledged.
      const later = (await suite.client.postMessage(folding, { client_message_id: 'h2', text: 'after login', ...claim('usr_held') })).body.message_id;
      const jsm = await nc.jetstreamManager();
      await waitFor('the identify and the later message with the contacts service', async () => {
        for await (const info of jsm.consumers.list(EVENT_STREAM))
          if (info.config.durable_name && info.config.filter_subject === 'contact.verified')
            return info.num_pending === 0 && info.num_ack_pending === 2 ? true : undefined;
        return undefined;
      });
      const other = await suite.client.newVisitor();
      const meanwhile = (await suite.client.postMessage(other, { client_message_id: 'o1', text: 'meanwhile', ...claim('usr_other') })).body.message_id;
      await waitFor('the other visitor’s message stored while the fold is held', async () => ((await storedIds()).has(meanwhile) ? true : undefined));
      expect((await storedIds()).has(later)).toBe(false);
      expect(await folded()).toBe(false);
    } finally {
      await holder.query('COMMIT');
      await holder.end();
      await nc.close();
    }

    await waitFor('the fold done', async () => ((await folded()) ? true : undefined));
    expect((await texts(folding, claim('usr_held'), 2)).messages.map((m) => m.text)).toEqual(['before login', 'after login']);
  });

  it('never merges two verified users, and a rotated-away hash loses the verified history at once', async () => {
    const device = await suite.client.newVisitor();
    await suite.client.postMessage(device, { client_message_id: 'b1', text: 'as bob', ...claim('usr_bob') });
    await suite.client.postMessage(device, { client_message_id: 'c1', text: 'as cy', ...claim('usr_cy') });
    await texts(device, claim('usr_bob'), 1);
    await texts(device, claim('usr_cy'), 1);
    const contacts = await suite.system.sql(`SELECT user_id FROM contacts WHERE user_id IN ('usr_bob', 'usr_cy') AND merged_into_id IS NULL ORDER BY user_id`);
    expect(contacts).toEqual([{ user_id: 'usr_bob' }, { user_id: 'usr_cy' }]);

    const oldClaim = claim('usr_bob');
    await suite.widget.admin.rotateSecret(suite.widget.widgetId);
    const after = await suite.client.call<History>('history', { visitor_token: device, ...oldClaim });
    expect(after.body.contact).toEqual({ is_verified: false });
    expect(after.body.messages).toEqual([]);
  });
});
