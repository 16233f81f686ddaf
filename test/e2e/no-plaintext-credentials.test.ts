import { generateMasterKey, KeyRing, sealClaim, userHash } from '@inviaro/crypto';
import { DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { MessageInbound, newId } from '@inviaro/contracts';
import { connectTestNats, createWidget, nth, postgresBin, readStream, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';
import { sign } from 'jsonwebtoken';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(180_000);

/** Every file under a folder, read as bytes (latin1 keeps each byte one character: ASCII hashes are found in binary files). */
function filesUnder(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), 'latin1');
  }
  return found;
}

describe('credentials never appear in logs, events, errors, the NATS store or the database', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'inviaro-logs-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'inviaro-data-'));
  const oldClaimKey = `c1:${generateMasterKey()}`;
  const claimKeysRotated = `${oldClaimKey},c2:${generateMasterKey()}`;
  let system: RunningSystem;
  afterAll(async () => {
    await system?.stop();
    rmSync(logDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds no secret, user hash or token anywhere after a full run with a claim-key rotation', async () => {
    system = await startSystem({ logDir, dataDir, claimKeys: oldClaimKey });
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitorToken = await client.newVisitor();
    const goodHash = userHash('usr_7', widget.secret);
    const otherHash = userHash('usr_8', widget.secret);
    const wrongHash = userHash('usr_7', 'a'.repeat(64));
    expect((await widget.admin.setIdentityPolicy(widget.widgetId, 'either')).status).toBe(200);
    const goodJwt = sign({ sub: 'usr_9', email: 'nine@example.com' }, widget.secret, { algorithm: 'HS256', expiresIn: 600 });
    const errors = [
      await client.postMessage(visitorToken, { client_message_id: 'bad', text: '', user_id: 'usr_7', user_hash: goodHash }),
      await client.call('messages', { visitor_token: `${visitorToken}x`, client_message_id: 'x', text: 'hi', user_id: 'usr_7', user_hash: goodHash }),
      await client.postMessage(visitorToken, { client_message_id: 'bad-jwt', text: '', user_jwt: goodJwt }),
    ];
    const posted = [
      await client.postMessage(visitorToken, { client_message_id: 'ok', text: 'verified', user_id: 'usr_7', user_hash: goodHash }),
      await client.postMessage(visitorToken, { client_message_id: 'wrong', text: 'wrong hash', user_id: 'usr_7', user_hash: wrongHash }),
      await client.postMessage(visitorToken, { client_message_id: 'jwt', text: 'signed', user_jwt: goodJwt }),
    ];

    // Rotate the claim key: verifiers learn the new key first, then gateways seal with it.
    const processOf = (name: string) =>
      nth(
        system.processes.filter((p) => p.name === name),
        0,
      );
    const [gateway, verifier] = [processOf('gateway'), processOf('verifier')];
    await system.start('verifier', { INVIARO_CLAIM_KEYS: claimKeysRotated });
    await verifier.stop('SIGTERM');
    await gateway.stop('SIGTERM');
    await system.start('gateway', { INVIARO_CLAIM_KEYS: claimKeysRotated });
    const secondVisitor = await client.newVisitor();
    posted.push(
      await client.postMessage(secondVisitor, { client_message_id: 'after-key-rotation', text: 'sealed with c2', user_id: 'usr_8', user_hash: otherHash }),
    );

    const rotated = (await widget.admin.rotateSecret(widget.widgetId)).body.widget_secret;
    posted.push(await client.postMessage(visitorToken, { client_message_id: 'stale', text: 'stale hash', user_id: 'usr_7', user_hash: goodHash }));
    expect(posted.map((response) => response.status)).toEqual([202, 202, 202, 202, 202]);
    // The wrong hash and the hash made with the rotated-out secret, each recorded once.
    await waitFor('the failure records', async () => {
      const rows = await system.sql<{ reason: string; count: number }>(`SELECT reason, count FROM verification_failures ORDER BY reason`);
      expect(rows).toEqual([
        { reason: 'mismatch', count: 1 },
        { reason: 'stale_secret', count: 1 },
      ]);
      return rows;
    });
    // Both claims verified, the one sealed under the old key and the one under the new.
    expect((await system.sql<{ user_id: string }>(`SELECT user_id FROM contacts WHERE user_id IS NOT NULL ORDER BY user_id`)).map((r) => r.user_id)).toEqual([
      'usr_7',
      'usr_8',
      'usr_9',
    ]);

    // A message.inbound that can never be handled (its widget does not exist) dead-letters without its sealed claim.
    const poisonId = newId();
    const poisonFields = {
      kind: 'message',
      message_id: poisonId,
      workspace_id: newId(),
      widget_id: newId(),
      visitor_id: newId(),
      text: 'poison',
      received_at: new Date().toISOString(),
    };
    const sealed = sealClaim(
      KeyRing.parse(claimKeysRotated),
      { user_id: 'usr_7', user_hash: goodHash },
      { eventId: poisonId, widgetId: poisonFields.widget_id, visitorId: poisonFields.visitor_id },
    );
    const nc = await connectTestNats(system.servers.natsUrl);
    await nc.jetstream().publish(
      MessageInbound.subject,
      Buffer.from(
        JSON.stringify({
          id: poisonId,
          subject: MessageInbound.subject,
          schema_version: MessageInbound.schemaVersion,
          correlation_id: poisonId,
          occurred_at: new Date().toISOString(),
          data: { ...poisonFields, sealed_claim: sealed },
        }),
      ),
      { msgID: poisonId },
    );
    const deadLetter = await waitFor(
      'the dead letter',
      async () => (await readStream(system.servers.natsUrl, DEAD_LETTER_STREAM, 'dead-letter.message.inbound'))[0],
    );
    expect(JSON.parse(deadLetter.text)).toEqual(expect.objectContaining({ id: poisonId, data: poisonFields }));
    expect(deadLetter.text).not.toContain(sealed.ciphertext);
    // The work queue keeps nothing once the verifier has settled it.
    await waitFor('INVIARO_INBOUND to be empty', async () =>
      (await (await nc.jetstreamManager()).streams.info(INBOUND_STREAM)).state.messages === 0 ? true : undefined,
    );
    await nc.close();

    // A token's signature stands for the token: its header and payload are plain base64url.
    const credentials = {
      secret: widget.secret,
      rotated,
      adminToken: widget.adminToken,
      visitorToken,
      goodHash,
      otherHash,
      wrongHash,
      goodJwt,
      jwtSignature: goodJwt.slice(goodJwt.lastIndexOf('.') + 1),
    };
    const places: Record<string, string> = {
      'HTTP error answers': JSON.stringify(errors.map((response) => response.body)),
      'database dump': execFileSync(join(postgresBin(), 'pg_dump'), [system.servers.databaseUrl]).toString(),
    };
    const asText = (message: { headers: Record<string, string>; text: string }) => `${JSON.stringify(message.headers)} ${message.text}`;
    for (const stream of [EVENT_STREAM, INBOUND_STREAM, DEAD_LETTER_STREAM]) {
      for (const event of await readStream(system.servers.natsUrl, stream))
        places[`event ${event.subject}`] = (places[`event ${event.subject}`] ?? '') + asText(event);
    }
    const running = system.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    places.metrics = (await Promise.all(running.map(async (p) => (await fetch(`${p.url}/metrics`)).text()))).join('\n');
    await system.stop();
    for (const file of readdirSync(logDir)) places[`log ${file}`] = readFileSync(join(logDir, file), 'utf8');
    const natsStore = filesUnder(join(dataDir, 'nats'));
    for (const [file, bytes] of Object.entries(natsStore)) places[`NATS store ${file}`] = bytes;

    expect(Object.keys(places)).toEqual(
      expect.arrayContaining([
        'database dump',
        'event contact.verified',
        'event contact.anonymous',
        'event dead-letter.message.inbound',
        'log gateway.log',
        'log verifier.log',
        'log contacts.log',
        'log nats.log',
      ]),
    );
    // The store was searched where the events are: the stream folders with their message blocks.
    expect(Object.keys(natsStore).filter((file) => /streams\/INVIARO_(EVENTS|INBOUND)\/msgs\/.+\.blk$/.test(file))).toHaveLength(2);
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
