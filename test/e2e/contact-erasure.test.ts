import { randomUUID } from 'node:crypto';
import { generateMasterKey, KeyRing, sealClaim, userHash } from '@inviaro/crypto';
import { ContactVerified, ContactVerifiedData, encodeEvent, EventEnvelope, MessageInbound, MessageInboundData } from '@inviaro/contracts';
import { DEAD_LETTER_STREAM, durableName, EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { connectTestNats, createWidget, readStream, runCli, waitFor, WidgetClient, WidgetStream, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(180_000);

type History = { contact: { is_verified: boolean }; messages: Array<{ message_id: string; text: string }> };
type Erasure = { erased: Record<string, number> };

/** Erasure and export of one user's data (issue 24, item 4): docs/security.md#erasure. */
describe('erasing a user: nothing of it is left on any surface or in the event streams', () => {
  const claimKeys = `c1:${generateMasterKey()}`;
  const suite = widgetSuite({ claimKeys });

  const claim = (userId: string) => ({ user_id: userId, user_hash: userHash(userId, suite.widget.secret) });
  const storedHistory = (token: string, extra: Record<string, unknown>, count: number) =>
    waitFor(`${count} messages in the history`, async () => {
      const response = await suite.client.call<History>('history', { visitor_token: token, ...extra });
      return response.body.messages?.length === count ? response.body : undefined;
    });

  it('exports everything held about a contact, then erases it, its folded contacts, messages, timeline and failure records everywhere', async () => {
    const mark = randomUUID().slice(0, 8);
    const userId = `usr_erase_${mark}`;
    const email = `erase-${mark}@example.com`;
    const erasedTexts = [`before login ${mark}`, `logged in ${mark}`, `operator answer ${mark}`];

    // A device chats anonymously, then logs in: its anonymous contact folds into the user's.
    const laptop = await suite.client.newVisitor();
    await suite.client.postMessage(laptop, { client_message_id: 'l1', text: erasedTexts[0] });
    await storedHistory(laptop, {}, 1);
    await suite.client.postMessage(laptop, { client_message_id: 'l2', text: erasedTexts[1], ...claim(userId), email });
    await storedHistory(laptop, claim(userId), 2);
    // A failed claim for the user: a failure record of that user id.
    const spoofer = await suite.client.newVisitor();
    await suite.client.postMessage(spoofer, { client_message_id: 's1', text: 'spoofed', user_id: userId, user_hash: 'f'.repeat(64) });
    await waitFor('the failure record', async () => ((await suite.widget.admin.failures(`?user_id=${userId}`)).body.failures.length === 1 ? true : undefined));
    // Another user, who stays.
    const other = await suite.client.newVisitor();
    await suite.client.postMessage(other, { client_message_id: 'o1', text: `kept ${mark}`, ...claim(`usr_keep_${mark}`) });
    await storedHistory(other, claim(`usr_keep_${mark}`), 1);

    const { visitor_id: spooferId } = await suite.system.sqlRow<{ visitor_id: string }>(
      `SELECT visitor_id FROM verification_failures WHERE claimed_user_id = $1`,
      [userId],
    );
    const listed = await suite.widget.admin.call<{ contacts: Array<{ id: string }> }>('GET', `contacts?user_id=${userId}`);
    const contactId = listed.body.contacts[0]!.id;
    const detail = await suite.widget.admin.call<{ conversations: Array<{ id: string }> }>('GET', `contacts/${contactId}`);
    const reply = await suite.widget.admin.call('POST', `conversations/${detail.body.conversations[0]!.id}/replies`, { text: erasedTexts[2] });
    expect(reply.status).toBe(201);
    await storedHistory(laptop, claim(userId), 3);
    const { visitor_id: laptopId } = await suite.system.sqlRow<{ visitor_id: string }>(`SELECT visitor_id FROM conversations WHERE id = $1`, [
      detail.body.conversations[0]!.id,
    ]);

    // Export: everything held about the contact.
    const exported = await suite.widget.admin.call<Record<string, unknown>>('GET', `contacts/${contactId}/export`);
    expect(exported.status).toBe(200);
    const exportText = JSON.stringify(exported.body);
    for (const text of [...erasedTexts, email, userId]) expect(exportText).toContain(text);
    expect(exported.body).toEqual(
      expect.objectContaining({
        contact: expect.objectContaining({ id: contactId, user_id: userId, email }),
        merged_contacts: [expect.objectContaining({ is_verified: false })],
        failures: [expect.objectContaining({ claimed_user_id: userId, reason: 'mismatch' })],
        timeline: expect.arrayContaining([expect.objectContaining({ user_id: userId }), expect.objectContaining({ user_id: null })]),
      }),
    );
    expect(exportText).not.toContain('spoofed');

    // The user's open live stream (another device, verified now) ends with the erasure.
    const tablet = await suite.client.newVisitor();
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: tablet, ...claim(userId) });
    const logsBefore = suite.system.processes.map((p) => p.output().length);

    const erased = await suite.widget.admin.call<Erasure>('DELETE', `contacts?user_id=${userId}`);
    expect(erased.status).toBe(200);
    expect(erased.body.erased).toEqual(
      expect.objectContaining({ contacts: 2, conversations: 1, messages: 3, timeline_events: 2, failure_records: 1, stream_events: expect.any(Number) }),
    );
    expect(erased.body.erased.stream_events).toBeGreaterThanOrEqual(6);
    await waitFor('the user’s live stream to end', async () => (stream.isClosed ? true : undefined), 10_000);

    // The admin API and the widget return nothing of it.
    expect((await suite.widget.admin.call('GET', `contacts/${contactId}`)).status).toBe(404);
    expect((await suite.widget.admin.call('GET', `contacts/${contactId}/export`)).status).toBe(404);
    expect((await suite.widget.admin.call<{ contacts: unknown[] }>('GET', `contacts?user_id=${userId}`)).body.contacts).toEqual([]);
    expect((await suite.widget.admin.failures(`?user_id=${userId}`)).body.failures).toEqual([]);
    expect((await suite.client.call<History>('history', { visitor_token: laptop, ...claim(userId) })).body.messages).toEqual([]);
    expect((await suite.client.call<History>('history', { visitor_token: laptop })).body.messages).toEqual([]);
    const inbox = JSON.stringify((await suite.widget.admin.call('GET', 'contacts?limit=200')).body);
    expect(inbox).not.toContain(email);
    expect((await suite.widget.admin.call('DELETE', `contacts/${contactId}`)).status).toBe(404);

    // Nor does the NATS store: every stream the CLI's `events tail` and `events dead-letters` read, and the work queue.
    for (const name of [EVENT_STREAM, INBOUND_STREAM, DEAD_LETTER_STREAM]) {
      const stored = (await readStream(suite.system.servers.natsUrl, name)).map((m) => m.text).join('\n');
      for (const secret of [...erasedTexts, email, userId]) expect({ stream: name, found: stored.includes(secret) }).toEqual({ stream: name, found: false });
    }
    // What stays is what is not the user's.
    const events = (await readStream(suite.system.servers.natsUrl, EVENT_STREAM)).map((m) => m.text).join('\n');
    expect(events).toContain(`kept ${mark}`);

    // A late event of the user (received before the erasure, delivered after) does not bring it back.
    const lateText = `late ${mark}`;
    const nc = await connectTestNats(suite.system.servers.natsUrl);
    try {
      const messageId = randomUUID();
      const late: EventEnvelope<ContactVerifiedData> = {
        id: randomUUID(),
        subject: ContactVerified.subject,
        schema_version: ContactVerified.schemaVersion,
        correlation_id: messageId,
        occurred_at: new Date().toISOString(),
        data: {
          kind: 'message',
          message_id: messageId,
          workspace_id: suite.widget.workspaceId,
          widget_id: suite.widget.widgetId,
          visitor_id: laptopId,
          text: lateText,
          received_at: new Date(Date.now() - 60_000).toISOString(),
          user_id: userId,
          secret_version: 1,
        },
      };
      const ack = await nc.jetstream().publish(ContactVerified.subject, encodeEvent(late));
      // The positive signal: the contacts service has acknowledged the late event.
      const jsm = await nc.jetstreamManager();
      await waitFor('the late event acknowledged', async () => {
        const info = await jsm.consumers.info(EVENT_STREAM, durableName('contacts', ContactVerified.subject));
        return info.ack_floor.stream_seq >= ack.seq ? true : undefined;
      });
    } finally {
      await nc.close();
    }
    // A failed claim of the user, received before the erasure and checked after it, records no failure of that id.
    const lateClaim = randomUUID();
    const inbound: EventEnvelope<MessageInboundData> = {
      id: lateClaim,
      subject: MessageInbound.subject,
      schema_version: MessageInbound.schemaVersion,
      correlation_id: lateClaim,
      occurred_at: new Date().toISOString(),
      data: {
        kind: 'message',
        message_id: lateClaim,
        workspace_id: suite.widget.workspaceId,
        widget_id: suite.widget.widgetId,
        visitor_id: spooferId,
        text: 'spoofed late',
        received_at: new Date(Date.now() - 60_000).toISOString(),
        sealed_claim: sealClaim(
          KeyRing.parse(claimKeys),
          { user_id: userId, user_hash: 'e'.repeat(64) },
          { eventId: lateClaim, widgetId: suite.widget.widgetId, visitorId: spooferId },
        ),
      },
    };
    const nats = await connectTestNats(suite.system.servers.natsUrl);
    try {
      await nats.jetstream().publish(MessageInbound.subject, encodeEvent(inbound), { msgID: lateClaim });
    } finally {
      await nats.close();
    }
    // The positive signal: its message is stored in the spoofer's anonymous contact.
    await waitFor('the late spoofed message stored', async () =>
      (await suite.system.sql(`SELECT id FROM messages WHERE id = $1`, [lateClaim])).length === 1 ? true : undefined,
    );
    expect((await suite.widget.admin.failures(`?user_id=${userId}`)).body.failures).toEqual([]);
    expect(await suite.system.sql(`SELECT id FROM contacts WHERE user_id = $1`, [userId])).toEqual([]);
    expect(await suite.system.sql(`SELECT id FROM messages WHERE text = $1`, [lateText])).toEqual([]);
    expect((await suite.widget.admin.call<{ contacts: unknown[] }>('GET', `contacts?user_id=${userId}`)).body.contacts).toEqual([]);

    // No log line written since the erasure names the user or its messages.
    const logsAfter = suite.system.processes.map((p, i) => p.output().slice(logsBefore[i] ?? 0)).join('\n');
    for (const secret of [...erasedTexts, email, userId, lateText]) expect({ secret, logged: logsAfter.includes(secret) }).toEqual({ secret, logged: false });
  });

  it('erases and exports from the command line, as an operator types it', async () => {
    const userId = `usr_cli_${randomUUID().slice(0, 8)}`;
    const token = await suite.client.newVisitor();
    await suite.client.postMessage(token, { client_message_id: 'c1', text: `to be forgotten ${userId}`, ...claim(userId) });
    await storedHistory(token, claim(userId), 1);
    const contactId = (await suite.widget.admin.call<{ contacts: Array<{ id: string }> }>('GET', `contacts?user_id=${userId}`)).body.contacts[0]!.id;
    const env = { ...process.env, INVIARO_ADMIN_TOKEN: suite.widget.adminToken, INVIARO_GATEWAY_URL: suite.system.gatewayUrl };

    const exported = await runCli(['contact', 'export', contactId], env);
    expect(exported).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(JSON.parse(exported.stdout)).toEqual(expect.objectContaining({ contact: expect.objectContaining({ id: contactId, user_id: userId }) }));

    const erased = await runCli(['contact', 'erase', '--user', userId, '--json'], env);
    expect(erased).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(JSON.parse(erased.stdout)).toEqual({ erased: expect.objectContaining({ contacts: 1, conversations: 1, messages: 1, timeline_events: 1 }) });
    expect((await runCli(['contact', 'erase', '--user', userId], env)).stdout).toMatch(/^erased:\n {2}contacts +0$/m);
    expect(await runCli(['contact', 'export', contactId], env)).toEqual(
      expect.objectContaining({ code: 1, stderr: expect.stringMatching(/404 \(contact_not_found/) }),
    );
    expect(await runCli(['contact', 'erase'], env)).toEqual(expect.objectContaining({ code: 1, stderr: expect.stringContaining('name the contact') }));
  });

  it('deletes a widget with ?erase=true: each of its contacts is erased first; without it they stay', async () => {
    const mark = randomUUID().slice(0, 8);
    type Contacts = { contacts: Array<{ id: string; user_id: string | null }> };
    /** A widget of the suite's workspace with a verified and an anonymous contact, each with one stored message. */
    const widgetWithContacts = async (userId: string) => {
      const widget = await createWidget(suite.system, undefined, suite.widget);
      const client = new WidgetClient(suite.system.gatewayUrl, widget);
      const [verified, anonymous] = [await client.newVisitor(), await client.newVisitor()];
      const signed = { user_id: userId, user_hash: userHash(userId, widget.secret) };
      await client.postMessage(verified, { client_message_id: 'v1', text: `verified ${mark}`, ...signed });
      await client.postMessage(anonymous, { client_message_id: 'a1', text: `anonymous ${mark}` });
      await waitFor('both messages stored', async () => {
        const [mine, theirs] = [
          await client.call<History>('history', { visitor_token: verified, ...signed }),
          await client.call<History>('history', { visitor_token: anonymous }),
        ];
        return mine.body.messages?.length === 1 && theirs.body.messages?.length === 1 ? true : undefined;
      });
      const contactIds = async () => {
        const { contacts } = (await suite.widget.admin.call<Contacts>('GET', 'contacts?limit=200')).body;
        const detail = await Promise.all(
          contacts.map(async (c) => ({
            id: c.id,
            widgets: (await suite.widget.admin.call<{ conversations: Array<{ widget_id: string }> }>('GET', `contacts/${c.id}`)).body.conversations.map(
              (v) => v.widget_id,
            ),
          })),
        );
        return detail.filter((c) => c.widgets.includes(widget.widgetId)).map((c) => c.id);
      };
      return { widget, contactIds };
    };

    const kept = await widgetWithContacts(`usr_kept_${mark}`);
    const keptIds = await kept.contactIds();
    expect(keptIds).toHaveLength(2);
    expect((await suite.widget.admin.call('DELETE', `widgets/${kept.widget.widgetId}`)).status).toBe(204);
    expect(await kept.contactIds()).toEqual(keptIds);

    const erased = await widgetWithContacts(`usr_gone_${mark}`);
    const erasedIds = await erased.contactIds();
    expect(erasedIds).toHaveLength(2);
    expect((await suite.widget.admin.call('DELETE', `widgets/${erased.widget.widgetId}?erase=yes`)).status).toBe(400);
    // As an operator types it: `inviaro widget delete <id> --erase` sends ?erase=true.
    const env = { ...process.env, INVIARO_ADMIN_TOKEN: suite.widget.adminToken, INVIARO_GATEWAY_URL: suite.system.gatewayUrl };
    const deleted = await runCli(['widget', 'delete', erased.widget.widgetId, '--erase', '--json'], env);
    expect(deleted).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(JSON.parse(deleted.stdout)).toEqual({ widget_id: erased.widget.widgetId, deleted: true, contacts_erased: true });
    for (const id of erasedIds) expect((await suite.widget.admin.call('GET', `contacts/${id}`)).status).toBe(404);
    expect((await suite.widget.admin.call<Contacts>('GET', `contacts?user_id=usr_gone_${mark}`)).body.contacts).toEqual([]);
    // The other widget's contacts were not touched.
    for (const id of keptIds) expect((await suite.widget.admin.call('GET', `contacts/${id}`)).status).toBe(200);
  });
});
