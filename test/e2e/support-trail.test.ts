import { createHmac } from 'node:crypto';
import { userHash } from '@inviaro/crypto';
import { sign } from 'jsonwebtoken';
import { nth, waitFor, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(180_000);

/** A check spends the address's admin budget; the suite's is small, so the last test can spend it. */
const ADMIN_BUDGET = 40;
/** Widget calls a minute from one address: the suite's calls fit, and the refusal test can spend the rest. */
const ADDRESS_BUDGET = 80;
/** The refusal log's summary window, short for the test (60 s by default). */
const REFUSAL_LOG_SECONDS = 3;

interface Failure {
  widget_id: string;
  visitor_id: string | null;
  claimed_user_id: string | null;
  reason: string;
  count: number;
  first_at: string;
  last_at: string;
  contact_id: string | null;
  conversation_id: string | null;
}

/** Issue 23: "why isn't usr_X verified?" answered from the admin API, and the gateway's refusals in its log. */
describe('the support trail, the claim check and the refusal log', () => {
  const suite = widgetSuite({
    serviceEnv: {
      RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE: String(ADMIN_BUDGET),
      REFUSAL_LOG_SECONDS: String(REFUSAL_LOG_SECONDS),
      RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS_BUDGET),
    },
  });
  const failures = async (query: string) => (await suite.widget.admin.failures(query)).body as unknown as { failures: Failure[]; error?: unknown };

  it('answers an unknown query parameter on any admin route with a 400 naming it', async () => {
    const { admin, widgetId } = suite.widget;
    for (const path of [`verification-failures?usr=usr_1002`, `widgets?colour=red`, `widgets/${widgetId}/secret?x=1`, `contacts?userid=usr_1`]) {
      const answer = await admin.call('GET', path);
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 400,
        body: { error: { code: 'invalid_request', message: expect.stringMatching(/^(usr|colour|x|userid): is not a parameter of this call/) } },
      });
    }
    expect((await admin.call('GET', 'verification-failures?user_id=usr_1002&limit=5')).status).toBe(200);
  });

  it('finds a user’s failures by user id, reason, widget and time, each with the visitor, contact and conversation it landed in', async () => {
    const { client, widget } = suite;
    const visitor = await client.newVisitor();
    const wrong = { user_id: 'usr_1002', user_hash: userHash('usr_1002', 'e'.repeat(64)) };
    const sent = await client.postMessage(visitor, { client_message_id: 'm1', text: 'where is my order?', ...wrong });
    expect(sent.status).toBe(202);
    await client.postMessage(visitor, { client_message_id: 'm2', text: 'hello?', ...wrong });
    await client.postMessage(visitor, { client_message_id: 'm3', text: 'malformed', user_id: 'usr_1002', user_hash: 'nothex' });
    const [mismatch] = await waitFor('the failures landed in a conversation', async () => {
      const found = (await failures(`?user_id=usr_1002&reason=mismatch`)).failures;
      return found.length === 1 && found[0]?.count === 2 && found[0].conversation_id ? found : undefined;
    });
    expect(mismatch).toEqual(
      expect.objectContaining({ widget_id: widget.widgetId, claimed_user_id: 'usr_1002', reason: 'mismatch', count: 2, visitor_id: expect.any(String) }),
    );
    const stored = await suite.system.sqlRow<{ contact_id: string; conversation_id: string }>(
      `SELECT c.contact_id, c.id AS conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1`,
      [sent.body.message_id],
    );
    expect(mismatch).toEqual(expect.objectContaining(stored));

    const byReason = (await failures(`?user_id=usr_1002&reason=malformed`)).failures;
    expect(byReason.map((failure) => failure.reason)).toEqual(['malformed']);
    expect((await failures(`?user_id=usr_1002&widget_id=${widget.widgetId}`)).failures).toHaveLength(2);
    expect((await failures(`?user_id=usr_1002&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).failures).toEqual([]);
    expect((await failures(`?user_id=usr_1002&since=1h`)).failures).toHaveLength(2);
    expect((await suite.widget.admin.failures(`?since=yesterday`)).status).toBe(400);

    // The contact the messages went to lists its visitor's failed claims.
    const contact = await suite.widget.admin.call<{ failed_claims: Failure[] }>('GET', `contacts/${stored.contact_id}`);
    expect(contact.status).toBe(200);
    expect(contact.body.failed_claims.map((failure) => [failure.claimed_user_id, failure.reason, failure.count]).sort()).toEqual([
      ['usr_1002', 'malformed', 1],
      ['usr_1002', 'mismatch', 2],
    ]);
  });

  it('checks a claim as the verifier decides it, with a hint, recording no failure', async () => {
    const { admin, widgetId, secret } = suite.widget;
    const check = (body: Record<string, unknown>) => admin.call('POST', `widgets/${widgetId}/claim-check`, body);
    // Either kind of claim verifies: a token is judged as one, not refused by the policy.
    expect((await admin.setIdentityPolicy(widgetId, 'either')).status).toBe(200);
    const hexKeyed = createHmac('sha256', Buffer.from(secret, 'hex')).update('usr_7').digest('hex');
    const answers = {
      verified: await check({ user_id: 'usr_7', user_hash: userHash('usr_7', secret) }),
      hexKey: await check({ user_id: 'usr_7', user_hash: hexKeyed }),
      whitespace: await check({ user_id: ' usr_7', user_hash: userHash('usr_7', secret) }),
      expired: await check({ user_jwt: sign({ sub: 'usr_7', exp: Math.floor(Date.now() / 1000) - 3600 }, secret, { algorithm: 'HS256', noTimestamp: true }) }),
      neither: await check({ user_id: 'usr_7' }),
    };
    expect(answers.verified.body).toEqual({ verdict: 'verified', reason: null, hint: null, explanation: null, secret_version: 1 });
    expect(answers.hexKey.body).toEqual(expect.objectContaining({ verdict: 'failed', reason: 'mismatch', hint: 'hex_decoded_key' }));
    expect(answers.whitespace.body).toEqual(expect.objectContaining({ verdict: 'failed', reason: 'mismatch', hint: 'whitespace_in_user_id' }));
    expect(answers.expired.body).toEqual(expect.objectContaining({ verdict: 'failed', reason: 'jwt_expired', hint: 'jwt_expired' }));
    expect(String((answers.expired.body as { explanation: unknown }).explanation)).toMatch(/expired at .* server’s clock/);
    expect(answers.neither.status).toBe(400);

    // A digest made with the secret a rotation replaced.
    const rotated = await admin.rotateSecret(widgetId);
    expect(rotated.status).toBe(200);
    const stale = await check({ user_id: 'usr_7', user_hash: userHash('usr_7', secret) });
    expect(stale.body).toEqual(expect.objectContaining({ verdict: 'failed', reason: 'stale_secret', hint: 'previous_secret', secret_version: 1 }));
    suite.widget.secret = rotated.body.widget_secret;

    // Checks are not failures; the hash never shows in an answer or a log.
    expect(await suite.system.sql(`SELECT 1 FROM verification_failures WHERE claimed_user_id IN ('usr_7', ' usr_7')`)).toEqual([]);
    const logs = suite.system.processes.map((process) => process.output()).join('\n');
    expect(logs).not.toContain(hexKeyed);
    expect(JSON.stringify(answers)).not.toContain(hexKeyed);
  });

  it('logs a refused widget call with its key, origin, address and code, and sums up a flood per address and code', async () => {
    const gateway = suite.system.processes.find((process) => process.name === 'gateway')!;
    const lines = () =>
      gateway
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const refuse = () =>
      fetch(`${suite.system.gatewayUrl}/v1/widget/visitors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ key: suite.widget.key }),
      });
    /** Every refusal with this code since `from` is accounted for once: a whole line for the first of a window, the rest in its summary. */
    const accountedFor = (code: string, from: number, refused: number) =>
      waitFor(`${refused} ${code} refusals summed up`, async () => {
        const refusals = lines()
          .slice(from)
          .filter((line) => line.error_code === code);
        const whole = refusals.filter((line) => line.msg === 'request');
        const summaries = refusals.filter((line) => line.msg === 'widget calls refused');
        return whole.length + summaries.reduce((sum, line) => sum + Number(line.count), 0) === refused ? { whole, summaries } : undefined;
      });
    const before = lines().length;
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await refuse()).status);
    expect(new Set(statuses)).toEqual(new Set([403]));
    const accounted = await accountedFor('origin_not_allowed', before, statuses.length);
    expect(nth(accounted.whole, 0)).toEqual(
      expect.objectContaining({ status: 403, widget_key: suite.widget.key, origin: 'https://evil.example', client_address: '127.0.0.1' }),
    );
    // The flood takes a window or two of the test's short one: a few lines, not one per call.
    expect(accounted.whole.length).toBeLessThanOrEqual(3);
    expect(accounted.summaries.length).toBeGreaterThanOrEqual(1);
    for (const summary of accounted.summaries) expect(summary).toEqual(expect.objectContaining({ client_address: '127.0.0.1', seconds: REFUSAL_LOG_SECONDS }));

    // Past the address's budget: refused before the body is read, so with no widget key.
    const beforeLimit = lines().length;
    const limited: number[] = [];
    for (let i = 0; i < 2 * ADDRESS_BUDGET && limited.length < 10; i++) if ((await refuse()).status === 429) limited.push(i);
    expect(limited).toHaveLength(10);
    const rateLimited = await accountedFor('rate_limited', beforeLimit, limited.length);
    expect(nth(rateLimited.whole, 0)).toEqual(
      expect.objectContaining({ status: 429, widget_key: null, origin: 'https://evil.example', client_address: '127.0.0.1' }),
    );
  });

  it('counts claim checks against the address’s admin budget', async () => {
    const { admin, widgetId } = suite.widget;
    const statuses: number[] = [];
    for (let i = 0; i < ADMIN_BUDGET + 1; i++)
      statuses.push((await admin.call('POST', `widgets/${widgetId}/claim-check`, { user_id: 'usr_8', user_hash: 'a'.repeat(64) })).status);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(ADMIN_BUDGET);
    expect(statuses.at(-1)).toBe(429);
  });
});
