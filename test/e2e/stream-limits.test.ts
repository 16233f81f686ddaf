import { INBOUND_STREAM } from '@inviaro/bus';
import { connectTestNats, createWidget, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(180_000);

/** Waits until every one of these accepted messages is in the database. */
async function everyOneStored(system: RunningSystem, accepted: string[]): Promise<void> {
  await waitFor(
    'every accepted message stored',
    async () => {
      const rows = await system.sql<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1)`, [accepted]);
      return rows[0]?.n === accepted.length ? true : undefined;
    },
    60_000,
  );
}

const MAX_BYTES = 1024 * 1024;
/** 10,000 characters of three UTF-8 bytes each: about 30 kB an event. */
const BIG_TEXT = '€'.repeat(10_000);

describe('stream limits: a full stream refuses, it never loses an accepted message', () => {
  let system: RunningSystem;
  afterAll(async () => system?.stop());

  it('answers 503 with Retry-After once INVIARO_INBOUND is full, and stores every 202 once the verifier drains it', async () => {
    // No verifier yet: every accepted message waits in INVIARO_INBOUND.
    system = await startSystem({ services: ['gateway', 'contacts'], serviceEnv: { INVIARO_INBOUND_MAX_BYTES: String(MAX_BYTES) } });
    const nc = await connectTestNats(system.servers.natsUrl);
    const info = await (await nc.jetstreamManager()).streams.info(INBOUND_STREAM);
    expect(info.config).toEqual(expect.objectContaining({ max_bytes: MAX_BYTES, max_msg_size: 256 * 1024, discard: 'new', retention: 'workqueue' }));

    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitorToken = await client.newVisitor();
    const accepted: string[] = [];
    let refused: Awaited<ReturnType<WidgetClient['postMessage']>> | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const response = await client.postMessage(visitorToken, { client_message_id: `big-${i}`, text: BIG_TEXT });
      if (response.status === 202) accepted.push(response.body.message_id);
      else refused = response;
    }
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused?.status).toBe(503);
    expect(refused?.body).toEqual({ error: { code: 'stream_unavailable', message: expect.any(String) } });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing accepted was pushed out to make room.
    expect((await (await nc.jetstreamManager()).streams.info(INBOUND_STREAM)).state.messages).toBe(accepted.length);

    await system.start('verifier');
    await everyOneStored(system, accepted);
    // The queue emptied as the verifier acknowledged: the widget's retry now goes through.
    await waitFor('INVIARO_INBOUND empty', async () =>
      (await (await nc.jetstreamManager()).streams.info(INBOUND_STREAM)).state.messages === 0 ? true : undefined,
    );
    expect((await client.postMessage(visitorToken, { client_message_id: `big-${accepted.length}`, text: BIG_TEXT })).status).toBe(202);
    await nc.close();
  });
});

describe('bounded backlog: a gateway accepts no more than INBOUND_BACKLOG_LIMIT messages not yet stored', () => {
  let system: RunningSystem;
  afterAll(async () => system?.stop());

  it('answers 503 backlog_full with Retry-After past the bound, and 202 again once what it accepted is stored', async () => {
    // No contacts service yet: messages are accepted and verified, and none is stored.
    system = await startSystem({ services: ['gateway', 'verifier'], serviceEnv: { INBOUND_BACKLOG_LIMIT: '5' } });
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitorToken = await client.newVisitor();
    const accepted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await client.postMessage(visitorToken, { client_message_id: `backlog-${i}`, text: `backlog ${i}` });
      expect(response.status).toBe(202);
      accepted.push(response.body.message_id);
    }
    const refused = await client.postMessage(visitorToken, { client_message_id: 'backlog-5', text: 'one too many' });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: { code: 'backlog_full', message: expect.any(String) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const identify = await client.call('identify', { visitor_token: visitorToken, user_id: 'u', user_hash: '0'.repeat(64) });
    expect(identify.status).toBe(503);

    await system.start('contacts');
    await everyOneStored(system, accepted);
    // The gateway learns it from message.stored, a moment after the rows are there: the widget's retry goes through then.
    await waitFor('the refused message accepted on retry', async () => {
      const retried = await client.postMessage(visitorToken, { client_message_id: 'backlog-5', text: 'one too many' });
      return retried.status === 202 ? retried : undefined;
    });
  });
});
