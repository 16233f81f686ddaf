import { MessageInbound, newId } from '@inviaro/contracts';
import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM, INBOUND_STREAM } from '@inviaro/jetstream';
import { connectTestNats, createWidget, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';
import { AckPolicy, DeliverPolicy, DiscardPolicy, headers, NatsConnection } from 'nats';

jest.setTimeout(180_000);

describe('upgrading a deployment whose INVIARO_EVENTS still holds message.inbound', () => {
  let system: RunningSystem;
  let nc: NatsConnection;
  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  it('moves the unhandled events to INVIARO_INBOUND sealed, handles them, and purges the hashes from INVIARO_EVENTS', async () => {
    system = await startSystem({ services: ['gateway', 'contacts'] });
    const widget = await createWidget(system);
    const visitorToken = await new WidgetClient(system.gatewayUrl, widget).newVisitor();
    const visitor = await system.sqlRow<{ id: string }>(`SELECT id FROM visitors`);
    await system.processes.find((p) => p.name === 'gateway')!.stop('SIGTERM');
    expect(visitorToken).toBeTruthy();

    // The topology before INVIARO_INBOUND: message.inbound in INVIARO_EVENTS, read by the verifier's durable consumer there.
    nc = await connectTestNats(system.servers.natsUrl);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(INBOUND_STREAM);
    const events = (await jsm.streams.info(EVENT_STREAM)).config;
    await jsm.streams.update(EVENT_STREAM, { ...events, subjects: [...events.subjects, MessageInbound.subject], discard: DiscardPolicy.Old, max_bytes: -1, max_msg_size: -1 });
    await jsm.consumers.add(EVENT_STREAM, { durable_name: 'verifier_message_inbound', filter_subject: MessageInbound.subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    const hash = userHash('usr_legacy', widget.secret);
    const legacyEvent = (text: string, claim: object | null) => {
      const id = newId();
      const data = { kind: 'message', message_id: id, workspace_id: widget.workspaceId, widget_id: widget.widgetId, visitor_id: visitor.id, text, claim, received_at: new Date().toISOString() };
      return { id, bytes: Buffer.from(JSON.stringify({ id, subject: MessageInbound.subject, schema_version: 1, correlation_id: id, occurred_at: new Date().toISOString(), data })) };
    };
    const publish = async (event: { id: string; bytes: Buffer }) => {
      const h = headers();
      h.set('Inviaro-Correlation-Id', event.id);
      const ack = await nc.jetstream().publish(MessageInbound.subject, event.bytes, { msgID: event.id, headers: h });
      expect(ack.stream).toBe(EVENT_STREAM);
    };
    // One the old verifier had already handled (acknowledged), then two it had not.
    const handled = legacyEvent('handled before the upgrade', null);
    await publish(handled);
    const old = await nc.jetstream().consumers.get(EVENT_STREAM, 'verifier_message_inbound');
    (await old.next({ expires: 5_000 }))!.ack();
    await waitFor('the old ack', async () => ((await jsm.consumers.info(EVENT_STREAM, 'verifier_message_inbound')).ack_floor.stream_seq > 0 ? true : undefined));
    const verified = legacyEvent('pending, with a claim', { user_id: 'usr_legacy', user_hash: hash });
    const anonymous = legacyEvent('pending, no claim', null);
    await publish(verified);
    await publish(anonymous);

    // The new code starts, the gateway first: it may not change streams, so it takes messages into
    // the old layout until a verifier has upgraded it.
    await system.start('gateway');
    const during = await new WidgetClient(system.gatewayUrl, widget).postMessage(visitorToken, { client_message_id: 'before-the-upgrade', text: 'sent before a verifier upgraded' });
    expect(during.status).toBe(202);
    await system.start('verifier');

    await waitFor('the message sent before the upgrade stored', async () => ((await system.sql(`SELECT 1 FROM messages WHERE id = $1`, [during.body.message_id])).length ? true : undefined));
    await waitFor('both pending events stored', async () => {
      const rows = await system.sql<{ id: string; is_verified: boolean; user_id: string | null }>(
        `SELECT m.id, c.is_verified, c.user_id FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = ANY($1)`,
        [[verified.id, anonymous.id]],
      );
      return rows.length === 2 ? rows : undefined;
    });
    const row = await system.sqlRow<{ user_id: string }>(`SELECT c.user_id FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = $1`, [verified.id]);
    expect(row.user_id).toBe('usr_legacy');
    // The one handled before the upgrade was not moved.
    expect(await system.sql(`SELECT 1 FROM messages WHERE id = $1`, [handled.id])).toHaveLength(0);

    const after = await jsm.streams.info(EVENT_STREAM, { subjects_filter: MessageInbound.subject });
    expect(after.config.subjects).not.toContain(MessageInbound.subject);
    expect(after.state.subjects?.[MessageInbound.subject] ?? 0).toBe(0);
    expect(await jsm.consumers.info(EVENT_STREAM, 'verifier_message_inbound').catch(() => 'gone')).toBe('gone');
    expect((await jsm.consumers.info(INBOUND_STREAM, 'verifier_message_inbound')).config.filter_subject).toBe(MessageInbound.subject);
    await waitFor('INVIARO_INBOUND emptied', async () => ((await jsm.streams.info(INBOUND_STREAM)).state.messages === 0 ? true : undefined));
  });
});
