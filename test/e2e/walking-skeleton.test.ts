import { INBOUND_STREAM } from '@inviaro/bus';
import { MessageInbound } from '@inviaro/contracts';
import { readStream, waitFor, WidgetClient, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(120_000);

describe('walking skeleton: gateway → verifier → contacts', () => {
  const suite = widgetSuite();

  it('stores a posted message in PostgreSQL under the visitor’s anonymous contact', async () => {
    const token = await suite.client.newVisitor();
    const posted = await suite.client.postMessage(token, { client_message_id: 'c-1', text: 'hello from the skeleton' });
    expect(posted.status).toBe(202);
    expect(posted.body.message_id).toMatch(/^[0-9a-f-]{36}$/);

    const rows = await waitFor('the stored message', async () => {
      const found = await suite.system.sql(
        `SELECT m.text, m.author, c.is_verified, c.workspace_id FROM messages m
         JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = $1`,
        [posted.body.message_id],
      );
      return found.length ? found : undefined;
    });
    expect(rows).toEqual([{ text: 'hello from the skeleton', author: 'visitor', is_verified: false, workspace_id: suite.widget.workspaceId }]);
  });

  it('answers the same message_id for a retried client_message_id and stores one message', async () => {
    const token = await suite.client.newVisitor();
    const first = await suite.client.postMessage(token, { client_message_id: 'retry-me', text: 'once' });
    const second = await suite.client.postMessage(token, { client_message_id: 'retry-me', text: 'once' });
    expect(second.body.message_id).toBe(first.body.message_id);
    await waitFor('the message', async () =>
      (await suite.system.sql(`SELECT 1 FROM messages WHERE id = $1`, [first.body.message_id])).length ? true : undefined,
    );
    const { count } = await suite.system.sqlRow<{ count: string }>(
      `SELECT count(*) FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN visitors s ON s.id = v.visitor_id WHERE s.token_hash = sha256($1::bytea)`,
      [token],
    );
    expect(Number(count)).toBe(1);
  });

  it('publishes a retried message under one de-duplication id, its message_id: the stream holds it once', async () => {
    const verifier = suite.system.processes.find((p) => p.name === 'verifier')!;
    const token = await suite.client.newVisitor();
    // With the verifier paused, what the gateway published stays in the inbound stream to be counted.
    verifier.child.kill('SIGSTOP');
    try {
      const first = await suite.client.postMessage(token, { client_message_id: 'dedup-me', text: 'once on the bus' });
      const second = await suite.client.postMessage(token, { client_message_id: 'dedup-me', text: 'once on the bus' });
      expect([first.status, second.status]).toEqual([202, 202]);
      const copies = (await readStream(suite.system.servers.natsUrl, INBOUND_STREAM, MessageInbound.subject)).filter(
        (stored) => (JSON.parse(stored.text) as { data: { message_id: string } }).data.message_id === first.body.message_id,
      );
      expect(copies.map((stored) => stored.headers['Nats-Msg-Id'])).toEqual([first.body.message_id]);
    } finally {
      verifier.child.kill('SIGCONT');
    }
  });

  it('refuses bad input with the field named, and a page from a foreign origin', async () => {
    const token = await suite.client.newVisitor();
    const empty = await suite.client.postMessage(token, { client_message_id: 'c-2', text: '' });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/^text: /) } });

    const foreign = new WidgetClient(suite.system.gatewayUrl, suite.widget, 'https://evil.example');
    const refused = await foreign.call('visitors', {});
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'origin_not_allowed', message: expect.any(String) } });
  });

  it('reports every service ready with the dependencies it checks', async () => {
    // Each consume loop is a check of its own.
    const expected = {
      gateway: ['consumer:contact.erased', 'consumer:live-updates', 'consumer:visitor.logged_out', 'consumer:widget.secret.rotated', 'nats', 'postgres'],
      verifier: ['consumer:message.inbound', 'nats', 'postgres'],
      contacts: ['consumer:contact.anonymous', 'consumer:contact.verified', 'nats', 'postgres'],
    };
    for (const service of suite.system.processes) {
      const response = await fetch(`${service.url}/health/ready`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { checks: Record<string, string> };
      expect(Object.keys(body.checks).sort()).toEqual(expected[service.name as keyof typeof expected]);
      expect(Object.values(body.checks).every((result) => result === 'ok')).toBe(true);
    }
  });
});
