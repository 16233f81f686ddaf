import { MessageInbound } from '@inviaro/contracts';
import { DEAD_LETTER_STREAM } from '@inviaro/bus';
import { generateMasterKey, KeyRing, openClaim, userHash } from '@inviaro/crypto';
import { connectTestNats, readStream, untilConsumersSettled, waitFor, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(120_000);

const CLAIM_KEYS = `bad-input:${generateMasterKey()}`;
const CLAIM_RING = KeyRing.parse(CLAIM_KEYS, 'claim key');
const ERROR_SHAPE = { error: { code: expect.any(String), message: expect.any(String) } };

/** docs/security.md "Bad input": each refusal has the contract's status and shape, and nothing the gateway accepted is lost to it. */
describe('bad input at the edge', () => {
  const suite = widgetSuite({ claimKeys: CLAIM_KEYS });

  const post = async (fields: Record<string, unknown>) =>
    suite.client.postMessage(await suite.client.newVisitor(), { client_message_id: 'm1', text: 'hello', ...fields });

  it.each([
    ['text', { text: 'a\u0000b' }],
    ['text', { text: 'a\ud800b' }],
    ['text', { text: 'bell\u0007' }],
    ['name', { name: 'Zo\u0000ë' }],
    ['name', { name: 'tab\tinside' }],
    ['email', { email: 'a\u0000@b.example' }],
    ['client_message_id', { client_message_id: 'm\u0000' }],
  ])('refuses %s with bytes the database cannot hold: 400 naming the field', async (field, fields) => {
    const answer = await post(fields);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(ERROR_SHAPE);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(new RegExp(`^${field}: `)) } });
  });

  // The contract's limits, in characters (docs/api.md): the last length taken, and the first refused with a 400 naming the field.
  it.each([
    ['text', 10_000, 'x'],
    ['text', 10_000, '🚀'],
    ['name', 255, 'é'],
    ['email', 320, 'm'],
    ['client_message_id', 255, 'c'],
  ])('takes %s of %i characters (%s) and refuses one more with 400 naming it', async (field, limit, unit) => {
    const atLimit = await post({ [field]: unit.repeat(limit) });
    expect(atLimit.status).toBe(202);
    const over = await post({ [field]: unit.repeat(limit + 1) });
    expect(over).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(new RegExp(`^${field}: `)) } } });
  });

  it('verifies a claimed user_id of 255 characters, and takes one of 256 as a malformed claim (202, the claim dropped)', async () => {
    const claim = (userId: string) => ({ user_id: userId, user_hash: userHash(userId, suite.widget.secret) });
    const longest = 'u'.repeat(254) + '🚀';
    const [taken, tooLong] = [
      await post({ ...claim(longest), client_message_id: 'id-255' }),
      await post({ ...claim('v'.repeat(256)), client_message_id: 'id-256' }),
    ];
    expect([taken.status, tooLong.status]).toEqual([202, 202]);
    const contactOf = (messageId: string) =>
      waitFor('the message stored', async () => {
        const rows = await suite.system.sql<{ is_verified: boolean; user_id: string | null }>(
          `SELECT c.is_verified, c.user_id FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = $1`,
          [messageId],
        );
        return rows[0];
      });
    expect(await contactOf(taken.body.message_id)).toEqual({ is_verified: true, user_id: longest });
    expect(await contactOf(tooLong.body.message_id)).toEqual({ is_verified: false, user_id: null });
    const failures = await waitFor('the failure recorded', async () => {
      const rows = await suite.system.sql<{ reason: string }>(
        `SELECT f.reason FROM verification_failures f
         WHERE f.visitor_id = (SELECT v.visitor_id FROM messages m JOIN conversations v ON v.id = m.conversation_id WHERE m.id = $1)`,
        [tooLong.body.message_id],
      );
      return rows.length ? rows : undefined;
    });
    expect(failures).toEqual([{ reason: 'malformed' }]);
  });

  it('refuses a widget key with a NUL (400, not a database error)', async () => {
    const answer = await suite.client.call('visitors', { key: 'wt_\u0000' });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^key: /) } } });
  });

  it('keeps tab and line breaks in a message, and stores it', async () => {
    const answer = await post({ text: 'line 1\r\n\tline 2' });
    expect(answer.status).toBe(202);
    const row = await waitFor('the message', async () => {
      const rows = await suite.system.sql<{ text: string }>(`SELECT text FROM messages WHERE id = $1`, [answer.body.message_id]);
      return rows[0];
    });
    expect(row.text).toBe('line 1\r\n\tline 2');
  });

  it('takes a message whose claimed user_id holds a NUL, drops the claim as malformed and records it without the bad bytes', async () => {
    const userId = 'usr\u0000evil';
    const answer = await post({ user_id: userId, user_hash: userHash(userId, suite.widget.secret), client_message_id: 'nul-claim' });
    expect(answer.status).toBe(202);
    await waitFor('the message stored', async () =>
      (await suite.system.sql(`SELECT 1 FROM messages WHERE id = $1`, [answer.body.message_id])).length ? true : undefined,
    );
    const failures = await suite.system.sql<{ reason: string; claimed_user_id: string | null }>(
      `SELECT reason, claimed_user_id FROM verification_failures WHERE widget_id = $1 AND reason = 'malformed'`,
      [suite.widget.widgetId],
    );
    expect(failures).toContainEqual({ reason: 'malformed', claimed_user_id: null });
  });

  it('reduces a claim that cannot verify by its shape: the event carries its reason, not an 80 KB array or an object', async () => {
    // message.inbound leaves its work-queue stream once verified, so watch it as it is published, and open its seal.
    const nc = await connectTestNats(suite.system.servers.natsUrl);
    const published = nc.subscribe(MessageInbound.subject);
    try {
      const huge = await post({ user_id: Array(9_000).fill('abcdef'), user_hash: 'ab'.repeat(32), client_message_id: 'huge-claim' });
      const object = await post({ user_id: 'usr_1', user_hash: { nested: { deep: true } }, client_message_id: 'object-claim' });
      expect([huge.status, object.status]).toEqual([202, 202]);
      const events = new Map<string, { size: number; claim: unknown }>();
      for await (const message of published) {
        const event = JSON.parse(Buffer.from(message.data).toString('utf8')) as {
          id: string;
          data: { widget_id: string; visitor_id: string; sealed_claim: unknown };
        };
        const binding = { eventId: event.id, widgetId: event.data.widget_id, visitorId: event.data.visitor_id };
        events.set(event.id, { size: message.data.length, claim: openClaim(CLAIM_RING, event.data.sealed_claim, binding) });
        if (events.has(huge.body.message_id) && events.has(object.body.message_id)) break;
      }
      expect(events.get(huge.body.message_id)).toEqual({ size: expect.any(Number), claim: { shape_fault: 'malformed' } });
      expect(events.get(huge.body.message_id)!.size).toBeLessThan(4_096);
      expect(events.get(object.body.message_id)!.claim).toEqual({ shape_fault: 'malformed', user_id: 'usr_1' });
    } finally {
      await nc.close();
    }
  });

  it('answers 413 in the error shape for a body over the limit', async () => {
    const answer = await post({ text: 'x'.repeat(300_000) });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String) } });
  });

  it('answers 413 for a form body over the limit, and 415 for a charset it does not read', async () => {
    const post = (contentType: string, body: string) =>
      fetch(`${suite.system.gatewayUrl}/v1/widget/messages`, { method: 'POST', headers: { 'content-type': contentType, origin: suite.widget.origin }, body });
    const form = await post('application/x-www-form-urlencoded', `text=${'x'.repeat(150_000)}`);
    expect([form.status, await form.json()]).toEqual([413, { error: { code: 'payload_too_large', message: expect.any(String) } }]);
    const latin1 = await post('application/json; charset=latin1', '{}');
    expect([latin1.status, await latin1.json()]).toEqual([415, { error: { code: 'unsupported_media_type', message: expect.any(String) } }]);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await fetch(`${suite.system.gatewayUrl}/v1/widget/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: suite.widget.origin },
      body: '{"key": "a\u0000',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: 'body: is not valid JSON' } });
  });

  it('answers 400 for a body nested deeper than the API needs, however deep (no stack overflow, no 500)', async () => {
    const deep = `{"key":${JSON.stringify(suite.widget.key)},"user_id":${'['.repeat(40_000)}${']'.repeat(40_000)}}`;
    const response = await fetch(`${suite.system.gatewayUrl}/v1/widget/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: suite.widget.origin },
      body: deep,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'invalid_request', message: 'body: is nested deeper than 32 levels' } });
  });

  it('answers a URL past the HTTP parser’s limit in the error shape', async () => {
    const response = await fetch(`${suite.system.gatewayUrl}/v1/admin/contacts?user_id=${'x'.repeat(20_000)}`, {
      headers: { authorization: `Bearer ${suite.widget.adminToken}` },
    });
    expect(response.status).toBe(431);
    expect(await response.json()).toEqual({ error: { code: 'headers_too_large', message: expect.any(String) } });
  });

  it('answers 400 for a history limit of the wrong type', async () => {
    const answer = await suite.client.call('history', { visitor_token: await suite.client.newVisitor(), limit: { toString: 'x' } });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^limit: /) } } });
  });

  it('answers 400 (no Retry-After) for a history cursor this API never gave', async () => {
    const answer = await suite.client.call('history', { visitor_token: await suite.client.newVisitor(), before: 'not-a-cursor' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'invalid_request', message: 'before: is not a cursor this API gave' } });
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it.each(['2026-13-45 10:00:00+00', '2026-02-30 10:00:00+00', '2026-01-01 25:00:00+00', '0000-01-01 10:00:00+00', '2026-01-01 10:00:00+99'])(
    'answers 400 for a forged cursor whose timestamp PostgreSQL cannot read (%s), in history, the inbox and the failure log',
    async (at) => {
      const forged = Buffer.from(`${at}|00000000-0000-4000-8000-000000000000`).toString('base64url');
      const history = await suite.client.call('history', { visitor_token: await suite.client.newVisitor(), before: forged });
      expect(history).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: 'before: is not a cursor this API gave' } } });
      expect((await suite.widget.admin.call('GET', `contacts?cursor=${forged}`)).status).toBe(400);
      expect((await suite.widget.admin.failures(`?cursor=${forged}`)).status).toBe(400);
    },
  );

  it('answers 400 for an inbox cursor this API never gave, and for admin text it cannot hold', async () => {
    const list = await suite.widget.admin.call('GET', 'contacts?cursor=not-a-cursor');
    expect(list).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: 'cursor: is not a cursor this API gave' } } });
    const search = await suite.widget.admin.call('GET', `contacts?user_id=${encodeURIComponent('a\u0000b')}`);
    expect(search).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^user_id: /) } } });
    const widget = await suite.widget.admin.call('POST', 'widgets', { name: 'w\u0000', allowed_origins: ['https://a.example'] });
    expect(widget).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringMatching(/^name: /) } } });
  });

  it('dead-letters nothing it accepted', async () => {
    // Once the services have settled every event so far, a dead letter would be there.
    await untilConsumersSettled(suite.system.servers.natsUrl);
    expect(await readStream(suite.system.servers.natsUrl, DEAD_LETTER_STREAM)).toEqual([]);
  });

  it('keeps a service’s own failure a 503 with Retry-After: a query that fails there, and no answer at all', async () => {
    const visitorToken = await suite.client.newVisitor();
    // History reads the visitor's threads first: without that table, the query fails in the contacts service.
    await suite.system.sql(`ALTER TABLE conversations RENAME TO conversations_away`);
    try {
      const failing = await suite.client.call('history', { visitor_token: visitorToken });
      expect([failing.status, failing.body, failing.headers.get('retry-after')]).toEqual([
        503,
        { error: { code: 'service_unavailable', message: expect.any(String) } },
        '2',
      ]);
    } finally {
      await suite.system.sql(`ALTER TABLE conversations_away RENAME TO conversations`);
    }
    await suite.system.processes.find((p) => p.name === 'contacts')!.stop('SIGKILL');
    const unanswered = await suite.client.call('history', { visitor_token: visitorToken });
    expect([unanswered.status, unanswered.headers.get('retry-after')]).toEqual([503, '2']);
  });
});
