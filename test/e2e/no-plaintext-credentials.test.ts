import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM, DEAD_LETTER_STREAM } from '@inviaro/jetstream';
import { createWidget, readStream, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000);

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
      'database dump': execFileSync('/usr/lib/postgresql/15/bin/pg_dump', [system.servers.databaseUrl]).toString(),
    };
    const asText = (message: { headers: Record<string, string>; text: string }) => `${JSON.stringify(message.headers)} ${message.text}`;
    for (const event of await readStream(system.servers.natsUrl, EVENT_STREAM)) {
      // The one place a user hash may travel: the inbound event, from the gateway to the verifier.
      if (event.subject !== 'message.inbound') places[`event ${event.subject}`] = (places[`event ${event.subject}`] ?? '') + asText(event);
    }
    places['dead letters'] = (await readStream(system.servers.natsUrl, DEAD_LETTER_STREAM)).map(asText).join('\n');
    places.metrics = (await Promise.all(system.processes.map(async (p) => (await fetch(`${p.url}/metrics`)).text()))).join('\n');
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
