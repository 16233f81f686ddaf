import { createWorkspace, nth, waitFor, WidgetStream, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(120_000);

type History = { contact: { is_verified: boolean }; messages: Array<{ message_id: string; author: string; text: string }>; next_cursor: string | null };

describe('history for the widget, live updates, and the inbox', () => {
  const suite = widgetSuite();

  async function storedHistory(token: string, count: number, extra: Record<string, unknown> = {}) {
    return waitFor(`${count} messages in the history`, async () => {
      const response = await suite.client.call<History>('history', { visitor_token: token, ...extra });
      return response.status === 200 && response.body.messages.length === count ? response.body : undefined;
    });
  }

  it('shows a visitor its own messages, oldest first, paged, and nobody else’s', async () => {
    const mine = await suite.client.newVisitor();
    const theirs = await suite.client.newVisitor();
    for (let i = 1; i <= 5; i++) await suite.client.postMessage(mine, { client_message_id: `m${i}`, text: `mine ${i}` });
    await suite.client.postMessage(theirs, { client_message_id: 't1', text: 'theirs' });

    const all = await storedHistory(mine, 5);
    expect(all.contact).toEqual({ is_verified: false });
    expect(all.messages.map((m) => m.text)).toEqual(['mine 1', 'mine 2', 'mine 3', 'mine 4', 'mine 5']);

    const newest = await suite.client.call<History>('history', { visitor_token: mine, limit: 2 });
    expect(newest.body.messages.map((m) => m.text)).toEqual(['mine 4', 'mine 5']);
    const older = await suite.client.call<History>('history', { visitor_token: mine, limit: 2, before: newest.body.next_cursor });
    expect(older.body.messages.map((m) => m.text)).toEqual(['mine 2', 'mine 3']);
    const oldest = await suite.client.call<History>('history', { visitor_token: mine, limit: 2, before: older.body.next_cursor });
    expect(oldest.body).toEqual({
      contact: { is_verified: false },
      messages: [expect.objectContaining({ text: 'mine 1', author: 'visitor' })],
      next_cursor: null,
      // Enforce mode is off (docs/identity-required.md).
      identity_required: false,
      sign_in_prompt: null,
    });

    expect((await storedHistory(theirs, 1)).messages.map((m) => m.text)).toEqual(['theirs']);
  });

  it('streams the visitor’s new messages and an operator’s reply live, and lists them in the inbox', async () => {
    const token = await suite.client.newVisitor();
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token });
    try {
      const posted = await suite.client.postMessage(token, { client_message_id: 'live-1', text: 'anyone there?' });
      await waitFor('the visitor’s own message on the stream', async () =>
        stream.messages().some((m) => m.message_id === posted.body.message_id) ? true : undefined,
      );

      const listed = await suite.widget.admin.call<{ contacts: Array<{ id: string; is_verified: boolean }> }>('GET', 'contacts?verified=false');
      expect(listed.status).toBe(200);
      const contactIds = listed.body.contacts.map((c) => c.id);
      const details = await Promise.all(
        contactIds.map((id) =>
          suite.widget.admin.call<{ conversations: Array<{ id: string; messages: Array<{ message_id: string }> }> }>('GET', `contacts/${id}`),
        ),
      );
      const conversation = details.flatMap((detail) => detail.body.conversations).find((c) => c.messages.some((m) => m.message_id === posted.body.message_id))!;
      expect(conversation).toBeDefined();

      const reply = await suite.widget.admin.call<{ message_id: string }>('POST', `conversations/${conversation.id}/replies`, {
        text: 'Hello, how can I help?',
      });
      expect(reply.status).toBe(201);
      await waitFor('the reply on the stream', async () => (stream.messages().some((m) => m.message_id === reply.body.message_id) ? true : undefined));
      expect(stream.messages().find((m) => m.message_id === reply.body.message_id)).toEqual(
        expect.objectContaining({ author: 'operator', text: 'Hello, how can I help?' }),
      );
      const history = await storedHistory(token, 2);
      expect(history.messages.map((m) => m.author)).toEqual(['visitor', 'operator']);
    } finally {
      stream.close();
    }
  });

  it('pages a contact’s conversations like history: the newest messages in its detail, older ones by cursor', async () => {
    type Page = { messages: Array<{ message_id: string; text: string }>; next_cursor: string | null };
    type Detail = { id: string; conversations: Array<Page & { id: string }> };
    const token = await suite.client.newVisitor();
    for (let i = 1; i <= 3; i++) await suite.client.postMessage(token, { client_message_id: `paged-${i}`, text: `paged ${i}` });
    await storedHistory(token, 3);
    const listed = await suite.widget.admin.call<{ contacts: Array<{ id: string }> }>('GET', 'contacts?verified=false&limit=200');
    const details = await Promise.all(listed.body.contacts.map((c) => suite.widget.admin.call<Detail>('GET', `contacts/${c.id}?limit=2`)));
    const detail = details.map((d) => d.body).find((d) => d.conversations.some((c) => c.messages.some((m) => m.text === 'paged 3')))!;
    const conversation = nth(detail.conversations, 0);
    expect(conversation.messages.map((m) => m.text)).toEqual(['paged 2', 'paged 3']);
    expect(conversation.next_cursor).toEqual(expect.any(String));

    const older = await suite.widget.admin.call<Page>('GET', `conversations/${conversation.id}/messages?limit=2&cursor=${conversation.next_cursor}`);
    expect(older.status).toBe(200);
    expect(older.body).toEqual({ messages: [expect.objectContaining({ text: 'paged 1' })], next_cursor: null });
    const whole = await suite.widget.admin.call<Page>('GET', `conversations/${conversation.id}/messages`);
    expect(whole.body.messages.map((m) => m.text)).toEqual(['paged 1', 'paged 2', 'paged 3']);

    const stranger = await createWorkspace(suite.system, 'Stranger to the thread');
    expect((await stranger.admin.call('GET', `conversations/${conversation.id}/messages`)).status).toBe(404);
    const forged = await suite.widget.admin.call('GET', `conversations/${conversation.id}/messages?cursor=not-a-cursor`);
    expect(forged.status).toBe(400);
    expect(forged.body).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/^cursor: /) } });
  });

  it('ends a visitor’s stream and token on logout', async () => {
    const token = await suite.client.newVisitor();
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token });
    expect((await suite.client.call('logout', { visitor_token: token })).status).toBe(204);
    await waitFor('the stream to end', async () => (stream.isClosed ? true : undefined));
    const after = await suite.client.call('history', { visitor_token: token });
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: { code: 'invalid_visitor_token', message: expect.any(String) } });
  });

  it('keeps the inbox to its workspace', async () => {
    const stranger = await createWorkspace(suite.system, 'Stranger');
    const token = await suite.client.newVisitor();
    await suite.client.postMessage(token, { client_message_id: 's1', text: 'private' });
    const contacts = await waitFor('a contact in the inbox', async () => {
      const listed = await suite.widget.admin.call<{ contacts: Array<{ id: string }> }>('GET', 'contacts');
      return listed.body.contacts.length ? listed.body.contacts : undefined;
    });
    expect((await stranger.admin.call('GET', `contacts/${nth(contacts, 0).id}`)).status).toBe(404);
    expect((await stranger.admin.call<{ contacts: unknown[] }>('GET', 'contacts')).body.contacts).toEqual([]);
    const bad = await suite.widget.admin.call('GET', 'contacts?verified=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/^verified: /) } });
  });
});
