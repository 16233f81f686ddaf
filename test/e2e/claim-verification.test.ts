import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM } from '@inviaro/bus';
import { createWidget, readEvents, VerifierProbe, verifiedAs, waitFor, widgetSuite } from '@inviaro/test-harness';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

jest.setTimeout(120_000);

type Claim = { user_id?: unknown; user_hash?: unknown };

/** Short, so that a cache entry's end is seen within the test. */
const SECRET_CACHE_TTL_SECONDS = 3;

describe('the verifier: every wrong claim is dropped silently, with a support trail', () => {
  const suite = widgetSuite({ serviceEnv: { SECRET_CACHE_TTL_SECONDS: String(SECRET_CACHE_TTL_SECONDS) } });
  let visitorToken: string;
  beforeAll(async () => {
    visitorToken = await suite.client.newVisitor();
  });

  const good = (userId: string) => userHash(userId, suite.widget.secret);
  const cases: Array<[string, () => Claim, string, string | null]> = [
    ['no hash', () => ({ user_id: 'usr_1' }), 'missing_hash', 'usr_1'],
    ['no id', () => ({ user_hash: good('usr_1') }), 'missing_user_id', null],
    ['an empty id', () => ({ user_id: '', user_hash: good('') }), 'missing_user_id', null],
    ['an id of 256 characters', () => ({ user_id: 'x'.repeat(256), user_hash: good('x'.repeat(256)) }), 'malformed', 'x'.repeat(255)],
    ['a hash of the wrong length', () => ({ user_id: 'usr_1', user_hash: good('usr_1').slice(1) }), 'malformed', 'usr_1'],
    ['a hash that is not hex', () => ({ user_id: 'usr_1', user_hash: 'z'.repeat(64) }), 'malformed', 'usr_1'],
    ['a hash of the wrong JSON type', () => ({ user_id: 'usr_1', user_hash: 12345 }), 'malformed', 'usr_1'],
    ['an id of the wrong JSON type', () => ({ user_id: ['usr_1'], user_hash: good('usr_1') }), 'malformed', null],
    ['a digest under another secret', () => ({ user_id: 'usr_1', user_hash: userHash('usr_1', 'b'.repeat(64)) }), 'mismatch', 'usr_1'],
  ];

  it('accepts each wrong claim’s message (202), stores it anonymously and records why', async () => {
    const posted: Array<{ messageId: string; reason: string; claimed: string | null }> = [];
    for (const [name, claim, reason, claimed] of cases) {
      const response = await suite.client.postMessage(visitorToken, { client_message_id: `case-${name}`, text: `with ${name}`, ...claim() });
      expect({ name, status: response.status }).toEqual({ name, status: 202 });
      posted.push({ messageId: response.body.message_id, reason, claimed });
    }
    // Stored, anonymously, every one of them: the chat goes on.
    await waitFor('every message stored', async () => {
      const rows = await suite.system.sql(`SELECT 1 FROM messages WHERE id = ANY($1)`, [posted.map((p) => p.messageId)]);
      return rows.length === posted.length ? true : undefined;
    });
    const attributed = await suite.system.sql<{ is_verified: boolean }>(
      `SELECT DISTINCT c.is_verified FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = ANY($1)`,
      [posted.map((p) => p.messageId)],
    );
    expect(attributed).toEqual([{ is_verified: false }]);

    const anonymous = await readEvents<{ message_id: string; failure_reason?: string; claimed_user_id?: string }>(
      suite.system.servers.natsUrl,
      EVENT_STREAM,
      'contact.anonymous',
    );
    for (const { messageId, reason, claimed } of posted) {
      const event = anonymous.find((e) => e.data.message_id === messageId);
      expect({ messageId, reason: event?.data.failure_reason, claimed: event?.data.claimed_user_id ?? null }).toEqual({ messageId, reason, claimed });
    }

    // The support trail: newest first, paged; repeats of one claimed id and reason are one entry with a count.
    const folded = new Map<string, { reason: string; claimed: string | null; count: number }>();
    for (const { reason, claimed } of posted) {
      const key = `${claimed}|${reason}`;
      const count = (folded.get(key)?.count ?? 0) + 1;
      folded.delete(key);
      folded.set(key, { reason, claimed, count });
    }
    const first = await suite.widget.admin.failures(`?widget_id=${suite.widget.widgetId}&limit=4`);
    expect(first.status).toBe(200);
    expect(first.body.failures).toHaveLength(4);
    const rest = await suite.widget.admin.failures(`?widget_id=${suite.widget.widgetId}&limit=50&cursor=${first.body.next_cursor}`);
    expect(rest.body.next_cursor).toBeNull();
    const listed = [...first.body.failures, ...rest.body.failures];
    expect(listed.map((f) => ({ reason: f.reason, claimed: f.claimed_user_id, count: f.count }))).toEqual([...folded.values()].reverse());
    expect(listed[0]).toEqual({
      widget_id: suite.widget.widgetId,
      visitor_id: expect.any(String),
      claimed_user_id: 'usr_1',
      distinct_user_ids: null,
      reason: 'mismatch',
      count: 1,
      at: expect.any(String),
      first_at: listed[0]?.at,
      last_at: listed[0]?.at,
      // Its message is stored (above): where it is now.
      contact_id: expect.any(String),
      conversation_id: expect.any(String),
    });
    const times = listed.map((f) => Date.parse(f.at as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // One structured warning per failure, naming suite.widget, claimed user, reason and correlation id.
    const verifier = suite.system.processes.find((p) => p.name === 'verifier')!;
    const warnings = verifier
      .output()
      .split('\n')
      .filter((line) => line.includes('identity claim failed'))
      .map((line) => JSON.parse(line));
    expect(warnings.map((w) => w.correlation_id).sort()).toEqual(posted.map((p) => p.messageId).sort());
    expect(warnings[0]).toEqual(expect.objectContaining({ level: 40, widget_id: suite.widget.widgetId, reason: expect.any(String) }));
  });

  it('publishes contact.verified with the user id and secret version, never the hash', async () => {
    const hash = good('usr_ok');
    const response = await suite.client.postMessage(visitorToken, {
      client_message_id: 'verified',
      text: 'hi',
      user_id: 'usr_ok',
      user_hash: hash.toUpperCase(),
    });
    const event = await waitFor('contact.verified', async () =>
      (await readEvents<Record<string, unknown>>(suite.system.servers.natsUrl, EVENT_STREAM, 'contact.verified')).find(
        (e) => e.correlation_id === response.body.message_id,
      ),
    );
    expect(event.data).toEqual(
      expect.objectContaining({ user_id: 'usr_ok', secret_version: 1, message_id: response.body.message_id, visitor_id: expect.any(String) }),
    );
    expect(JSON.stringify(event).toLowerCase()).not.toContain(hash);
  });

  it('reads a JSON integer user id as its decimal string', async () => {
    const probe = await VerifierProbe.connect(suite.system.servers.natsUrl);
    try {
      expect(await probe.check(suite.widget.widgetId, { user_id: 42, user_hash: good('42') })).toEqual(verifiedAs('42', 1, 'user_hash'));
      expect(await probe.check(suite.widget.widgetId, { user_id: 4.2, user_hash: good('4.2') })).toEqual({ verified: false, reason: 'malformed' });
      expect(await probe.check(randomUUID(), { user_id: 'usr_1', user_hash: good('usr_1') })).toEqual({ verified: false, reason: 'unknown_widget' });
    } finally {
      await probe.close();
    }
  });

  it('reads a JSON integer user id of any size as its exact decimal string, in messages, identify and history', async () => {
    // [the user_id as written in the JSON body, the decimal string the customer's server signed]
    const cases: Array<[string, string]> = [
      ['9007199254740993', '9007199254740993'], // 2^53 + 1: a float64 would read it as ...992
      ['12345678901234567890', '12345678901234567890'],
      ['-9007199254740993', '-9007199254740993'],
      // A number written with a fraction or an exponent is read by its value when that is a whole number below 2^53, as it always was.
      ['42.0', '42'],
      ['1e3', '1000'],
    ];
    for (const [written, signed] of cases) {
      const token = await suite.client.newVisitor();
      // JSON.stringify cannot write these numbers: the body is written as text.
      const call = (path: string, fields: string) =>
        fetch(`${suite.system.gatewayUrl}/v1/widget/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: suite.widget.origin },
          body: `{"key": "${suite.widget.key}", "visitor_token": "${token}", ${fields}"user_id": ${written}, "user_hash": "${good(signed)}"}`,
        });
      const message = await call('messages', `"client_message_id": "integer-${written}", "text": "hi", `);
      expect({ written, status: message.status }).toEqual({ written, status: 202 });
      expect({ written, status: (await call('identify', '')).status }).toEqual({ written, status: 202 });
      const history = await call('history', '');
      expect({ written, status: history.status, contact: ((await history.json()) as { contact: unknown }).contact }).toEqual({
        written,
        status: 200,
        contact: { is_verified: true },
      });
      // The message and the identify both verified as the signed id: two contact.verified events for it.
      const verified = await waitFor(`contact.verified for ${written}`, async () => {
        const events = (await readEvents<{ user_id: string }>(suite.system.servers.natsUrl, EVENT_STREAM, 'contact.verified')).filter(
          (e) => e.data.user_id === signed,
        );
        return events.length >= 2 ? events : undefined;
      });
      expect(verified).toHaveLength(2);
    }
  });

  it('counts outcomes by reason in the verifier’s metrics', async () => {
    const verifier = suite.system.processes.find((p) => p.name === 'verifier')!;
    const text = await (await fetch(`${verifier.url}/metrics`)).text();
    expect(text).toMatch(/inviaro_claim_checks_total\{outcome="failed",reason="mismatch"\} [1-9]/);
    expect(text).toMatch(/inviaro_claim_checks_total\{outcome="verified",reason=""\} [1-9]/);
    expect(text).toMatch(/inviaro_claim_check_seconds_count [1-9]/);
    expect(text).toMatch(/inviaro_events_handled_total\{subject="message.inbound",outcome="acked"\} [1-9]/);
  });

  it(`keeps a decrypted secret in Redis for at most SECRET_CACHE_TTL_SECONDS (${SECRET_CACHE_TTL_SECONDS} s here), which a hit does not extend`, async () => {
    const widget = await createWidget(suite.system);
    const entry = `inviaro:{${widget.widgetId}}:secret`;
    const claim = { user_id: 'usr_ttl', user_hash: userHash('usr_ttl', widget.secret) };
    const redis = new Redis(suite.system.servers.redisUrl);
    const probe = await VerifierProbe.connect(suite.system.servers.natsUrl);
    try {
      expect(await probe.check(widget.widgetId, claim)).toMatchObject({ verified: true });
      const filled = await redis.pttl(entry);
      expect(filled).toBeGreaterThan(0);
      expect(filled).toBeLessThanOrEqual(SECRET_CACHE_TTL_SECONDS * 1000);
      // A hit (the same check again, from the cache) leaves the lifetime running.
      expect(await probe.check(widget.widgetId, claim)).toMatchObject({ verified: true });
      expect(await redis.pttl(entry)).toBeLessThanOrEqual(filled);
      await waitFor('the cache entry to expire', async () => ((await redis.exists(entry)) === 0 ? true : undefined), SECRET_CACHE_TTL_SECONDS * 1000 + 5_000);
      // Then the secret is read from PostgreSQL again.
      expect(await probe.check(widget.widgetId, claim)).toMatchObject({ verified: true });
    } finally {
      await probe.close();
      redis.disconnect();
    }
  });
});
