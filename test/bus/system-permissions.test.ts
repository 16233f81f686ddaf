import { userHash } from '@inviaro/crypto';
import { BUS_ROLES } from '@inviaro/bus';
import { HARNESS_USER, natsEnv, NatsUserName, waitFor, WidgetStream, widgetSuite } from '@inviaro/test-harness';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

/**
 * The whole system on an authenticated NATS, each service as its own user: every path it takes
 * (publish, consume, ask, answer, follow, provision, dead-letter) within its rights. A missing
 * right shows as a refused subject in the server's log, whatever the symptom elsewhere.
 */
describe('the system with per-service NATS permissions', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'inviaro-bus-logs-'));
  const suite = widgetSuite({ logDir });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  const logs = () => Object.fromEntries(readdirSync(logDir).map((file) => [file, readFileSync(join(logDir, file), 'utf8')]));

  it('verifies, stores, streams, answers history and the inbox, rotates; no service is refused a subject, no log holds a NATS password', async () => {
    const token = await suite.client.newVisitor();
    const claim = { user_id: 'usr_bus', user_hash: userHash('usr_bus', suite.widget.secret) };
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token, ...claim });
    try {
      const verified = await suite.client.postMessage(token, { client_message_id: 'v1', text: 'verified', ...claim });
      const failed = await suite.client.postMessage(token, { client_message_id: 'f1', text: 'failed', user_id: 'usr_bus', user_hash: 'f'.repeat(64) });
      expect([verified.status, failed.status]).toEqual([202, 202]);
      await waitFor('the verified message on the live stream', async () =>
        stream.messages().some((m) => m.message_id === verified.body.message_id) ? true : undefined,
      );
      const history = await waitFor('both messages stored', async () => {
        const response = await suite.client.call<{ messages: unknown[] }>('history', { visitor_token: token, ...claim });
        return response.status === 200 && response.body.messages.length >= 1 ? response.body : undefined;
      });
      expect(history.messages.length).toBeGreaterThanOrEqual(1);
      const listed = await suite.widget.admin.call<{ contacts: unknown[] }>('GET', 'contacts');
      expect(listed.status).toBe(200);
      // A rotation reaches the gateway's own consumer of widget.secret.rotated, which ends the verified stream.
      expect((await suite.widget.admin.rotateSecret(suite.widget.widgetId)).status).toBe(200);
      await waitFor('the verified stream to end on rotation', async () => (stream.isClosed ? true : undefined));
    } finally {
      stream.close();
    }
    const all = logs();
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['nats.log', 'gateway.log', 'verifier.log', 'contacts.log']));
    const refused = Object.entries(all).flatMap(([file, text]) =>
      text
        .split('\n')
        .filter((line) => /Violation|"NATS error"/.test(line))
        .map((line) => `${file}: ${line}`),
    );
    expect(refused).toEqual([]);
    const users: NatsUserName[] = [...BUS_ROLES, HARNESS_USER];
    const passwords = users.map((user) => natsEnv(suite.system.servers.natsUrl, user).NATS_PASSWORD!);
    expect(passwords.every(Boolean)).toBe(true);
    expect(
      Object.entries(all)
        .filter(([, text]) => passwords.some((password) => text.includes(password)))
        .map(([file]) => file),
    ).toEqual([]);
  });
});
