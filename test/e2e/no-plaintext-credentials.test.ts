import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM, DEAD_LETTER_STREAM } from '@inviaro/jetstream';
import { createWidget, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';

jest.setTimeout(120_000);

/** Every message of a stream, with its subject, as text. */
async function streamContents(natsUrl: string, stream: string): Promise<Array<{ subject: string; text: string }>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const { state } = await jsm.streams.info(stream);
    const found: Array<{ subject: string; text: string }> = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      found.push({ subject: message.subject, text: `${message.header ? [...message.header].join(' ') : ''} ${Buffer.from(message.data).toString()}` });
    }
    return found;
  } finally {
    await nc.close();
  }
}

describe('credentials never appear in logs, events, errors or the database', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'inviaro-logs-'));
  let system: RunningSystem;
  afterAll(async () => {
    await system?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('holds no secret, user hash or token anywhere after a full run', async () => {
    system = await startSystem({ logDir });
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitorToken = await client.newVisitor();
    const goodHash = userHash('usr_7', widget.secret);
    const wrongHash = userHash('usr_7', 'a'.repeat(64));
    const errors = [
      await client.postMessage(visitorToken, { client_message_id: 'bad', text: '', user_id: 'usr_7', user_hash: goodHash }),
      await client.call('messages', { visitor_token: `${visitorToken}x`, client_message_id: 'x', text: 'hi', user_id: 'usr_7', user_hash: goodHash }),
    ];
    const posted = [
      await client.postMessage(visitorToken, { client_message_id: 'ok', text: 'verified', user_id: 'usr_7', user_hash: goodHash }),
      await client.postMessage(visitorToken, { client_message_id: 'wrong', text: 'wrong hash', user_id: 'usr_7', user_hash: wrongHash }),
    ];
    const rotated = (await widget.admin.rotateSecret(widget.widgetId)).body.widget_secret;
    const staleHash = goodHash;
    posted.push(await client.postMessage(visitorToken, { client_message_id: 'stale', text: 'stale hash', user_id: 'usr_7', user_hash: staleHash }));
    expect(posted.map((response) => response.status)).toEqual([202, 202, 202]);
    await waitFor('the failure records', async () => {
      const rows = await system.sql(`SELECT reason FROM verification_failures`);
      return rows.length === 2 ? rows : undefined;
    });

    const credentials = { secret: widget.secret, rotated, adminToken: widget.adminToken, visitorToken, goodHash, wrongHash };
    const places: Record<string, string> = {
      'HTTP error answers': JSON.stringify(errors.map((response) => response.body)),
      'database dump': execFileSync('/usr/lib/postgresql/15/bin/pg_dump', ['--data-only', system.servers.databaseUrl]).toString(),
    };
    for (const event of await streamContents(system.servers.natsUrl, EVENT_STREAM)) {
      // The one place a user hash may travel: the inbound event, from the gateway to the verifier.
      if (event.subject !== 'message.inbound') places[`event ${event.subject}`] = (places[`event ${event.subject}`] ?? '') + event.text;
    }
    for (const letter of await streamContents(system.servers.natsUrl, DEAD_LETTER_STREAM)) places['dead letters'] = (places['dead letters'] ?? '') + letter.text;
    await system.stop();
    for (const file of readdirSync(logDir)) places[`log ${file}`] = readFileSync(join(logDir, file), 'utf8');

    expect(Object.keys(places)).toEqual(expect.arrayContaining(['database dump', 'event contact.verified', 'event contact.anonymous', 'log gateway.log', 'log verifier.log', 'log contacts.log']));
    // The logs did record the failures the support team needs.
    expect(places['log verifier.log']).toContain('identity claim failed');
    const leaks = Object.entries(places).flatMap(([place, text]) =>
      Object.entries(credentials)
        .filter(([, value]) => text.toLowerCase().includes(value.toLowerCase()))
        .map(([name]) => `${name} in ${place}`),
    );
    expect(leaks).toEqual([]);
  });
});
