import { createWidget, inParallel, RunningSystem, startSystem, TestWidget, waitFor } from '@inviaro/test-harness';
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';

jest.setTimeout(240_000);

const ADDRESS_LIMIT = 100;
const NEW_VISITORS_LIMIT = 5;
const ADMIN_FAILURES_LIMIT = 20;
const WIDGET_LIMIT = 300;
const FLOOD_CALLS = 1_500;
/** Caps a hang of the flood, not what the test asserts. */
const FLOOD_DEADLINE_MS = 90_000;

interface Answer {
  status: number;
  body: { error?: { code: string; message: string }; visitor_token?: string };
  retryAfter?: string;
}

/** A raw HTTP call from a chosen loopback address: any method, body bytes and headers. */
function sender(gatewayUrl: string, localAddress: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 32, localAddress });
  const url = new URL(gatewayUrl);
  return (method: string, path: string, payload: string | Buffer, headers: Record<string, string>) =>
    new Promise<Answer>((resolve, reject) => {
      const call = request(
        { agent, host: url.hostname, port: url.port, method, path, headers: { 'content-length': String(Buffer.byteLength(payload)), ...headers } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {}, retryAfter: response.headers['retry-after'] }),
          );
        },
      );
      call.on('error', reject);
      call.end(payload);
    });
}

/** A widget call from a chosen loopback address, as a browser at that address would make it. */
function caller(gatewayUrl: string, localAddress: string) {
  const send = sender(gatewayUrl, localAddress);
  return (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    send('POST', `/v1/widget/${path}`, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}

/** Every answer of a flood that went past its budget is the contract's 429: the error shape and a Retry-After. */
function expectRateLimited(answers: Answer[]): void {
  expect(answers.length).toBeGreaterThan(0);
  for (const answer of answers) {
    expect(answer).toEqual({ status: 429, body: { error: { code: 'rate_limited', message: expect.any(String) } }, retryAfter: expect.any(String) });
    expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  }
}

const madeUp = (prefix: string) => `${prefix}_${randomBytes(16).toString('base64url')}`;

describe('abuse budgets: no caller spends another’s', () => {
  let system: RunningSystem;
  let widget: TestWidget;
  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS_LIMIT),
        RATE_LIMIT_NEW_VISITORS_PER_MINUTE: String(NEW_VISITORS_LIMIT),
        RATE_LIMIT_WIDGET_PER_MINUTE: String(WIDGET_LIMIT),
        RATE_LIMIT_VISITOR_PER_MINUTE: '1000',
        RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE: String(ADMIN_FAILURES_LIMIT),
      },
    });
    widget = await createWidget(system);
  });
  afterAll(() => system?.stop());

  it('a flood from one address with the widget’s key, no Origin and made-up tokens spends its own budget only; a visitor elsewhere chats during and after it', async () => {
    const attacker = caller(system.gatewayUrl, '127.0.0.2');
    const visitor = caller(system.gatewayUrl, '127.0.0.3');
    const origin = { origin: widget.origin };

    const created = await visitor('visitors', { key: widget.key }, origin);
    expect(created.status).toBe(201);
    const token = created.body.visitor_token as string;
    let sent = 0;
    const chat = async () => {
      sent += 1;
      return visitor('messages', { key: widget.key, visitor_token: token, client_message_id: `real-${sent}`, text: `real message ${sent}` }, origin);
    };

    // Most calls have no Origin; some have the right one with a made-up token, some a made-up key;
    // every one claims another address in X-Forwarded-For, which an untrusted peer may not do.
    const started = Date.now();
    const flood = inParallel(FLOOD_CALLS, 30, (i) => {
      if (Date.now() - started > FLOOD_DEADLINE_MS) return Promise.resolve<Answer>({ status: -1, body: {} });
      const forwardedFor = { 'x-forwarded-for': `198.51.100.${i % 250}` };
      const key = i % 10 === 9 ? madeUp('wt') : widget.key;
      const headers = i % 3 === 2 ? { ...origin, ...forwardedFor } : forwardedFor;
      return attacker('messages', { key, visitor_token: madeUp('vt'), client_message_id: `f${i}`, text: 'flood' }, headers);
    });
    const during: number[] = [];
    let flooding = true;
    void flood.finally(() => (flooding = false));
    while (flooding && during.length < 40) {
      during.push((await chat()).status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answers = await flood;
    const after: number[] = [];
    for (let n = 0; n < 5; n++) after.push((await chat()).status);

    expect(answers.filter((answer) => answer.status === -1)).toHaveLength(0);
    // The flood's own address budget ran out: the rest was refused before any lookup.
    const limited = answers.filter((answer) => answer.status === 429);
    const passed = answers.length - limited.length;
    expect(passed).toBeGreaterThan(0);
    expect(passed).toBeLessThanOrEqual(2 * ADDRESS_LIMIT); // the fixed window may turn over once during the flood
    expectRateLimited(limited);
    expect(answers.filter((answer) => answer.status !== 429).every((answer) => [401, 403, 404].includes(answer.status))).toBe(true);

    expect(during.length).toBeGreaterThan(0);
    expect(during.every((status) => status === 202)).toBe(true);
    expect(after).toEqual([202, 202, 202, 202, 202]);
    await waitFor(
      'the visitor’s messages stored',
      async () => {
        const { count } = await system.sqlRow<{ count: number }>(`SELECT count(*)::int AS count FROM messages WHERE text LIKE 'real message %'`);
        return count === sent ? count : undefined;
      },
      60_000,
    );
  });

  it('a flood from many addresses, each within its own budget, with the widget’s key but no Origin or a made-up token spends none of the widget’s budget: its visitor chats on', async () => {
    // Each half of the flood alone is more than the widget's budget over two windows (a window may turn over during it).
    const addresses = Array.from({ length: 14 }, (_, n) => `127.0.1.${n + 1}`);
    const perAddress = ADDRESS_LIMIT - 10;
    const origin = { origin: widget.origin };
    const visitor = caller(system.gatewayUrl, '127.0.2.1');
    const token = (await visitor('visitors', { key: widget.key }, origin)).body.visitor_token as string;
    const chat = (n: number) => visitor('messages', { key: widget.key, visitor_token: token, client_message_id: `many-${n}`, text: `many ${n}` }, origin);
    expect((await chat(0)).status).toBe(202);

    const senders = addresses.map((address) => caller(system.gatewayUrl, address));
    const answers = await inParallel(addresses.length * perAddress, 30, (i) => {
      const send = senders[i % senders.length]!;
      const body = { key: widget.key, visitor_token: madeUp('vt'), client_message_id: `m${i}`, text: 'flood' };
      // Half without an Origin (refused 403 before any budget of the widget), half from the widget's page with a made-up token (401).
      return i % 2 === 0 ? send('messages', body) : send('messages', body, origin);
    });
    const noOrigin = answers.filter((_, i) => i % 2 === 0);
    const badToken = answers.filter((_, i) => i % 2 === 1);
    expect(noOrigin.length).toBeGreaterThan(2 * WIDGET_LIMIT);
    expect(badToken.length).toBeGreaterThan(2 * WIDGET_LIMIT);
    expect(noOrigin.filter((answer) => answer.status !== 403)).toEqual([]);
    expect(badToken.filter((answer) => answer.status !== 401)).toEqual([]);
    // The widget's budget is whole: its visitor is answered as before the flood.
    expect([(await chat(1)).status, (await chat(2)).status]).toEqual([202, 202]);
  });

  it('limits visitor creation per address, whatever the body carries', async () => {
    const creator = caller(system.gatewayUrl, '127.0.0.4');
    const statuses: number[] = [];
    for (let n = 0; n < NEW_VISITORS_LIMIT + 3; n++) {
      statuses.push((await creator('visitors', { key: widget.key, visitor_token: madeUp('vt') }, { origin: widget.origin })).status);
    }
    expect(statuses).toEqual([...Array(NEW_VISITORS_LIMIT).fill(201), 429, 429, 429]);
    // Another address creates its visitors as before.
    expect((await caller(system.gatewayUrl, '127.0.0.5')('visitors', { key: widget.key }, { origin: widget.origin })).status).toBe(201);
  });

  it('spends the address budget on bodies the parser refuses (not JSON, over the limit, a wrong charset): a flood of them ends in 429', async () => {
    const send = sender(system.gatewayUrl, '127.0.0.7');
    const refused = [
      () => send('POST', '/v1/widget/messages', '{"key": "wt_', { 'content-type': 'application/json' }),
      () => send('POST', '/v1/widget/messages', JSON.stringify({ key: widget.key, text: 'x'.repeat(101 * 1024) }), { 'content-type': 'application/json' }),
      () => send('POST', '/v1/widget/identify', JSON.stringify({ key: widget.key }), { 'content-type': 'application/json; charset=latin1' }),
    ];
    const answers = await inParallel(ADDRESS_LIMIT + 30, 10, (i) => refused[i % refused.length]!());
    expect(answers.filter((answer) => answer.status !== 429).every((answer) => [400, 413, 415].includes(answer.status))).toBe(true);
    expectRateLimited(answers.filter((answer) => answer.status === 429));
    // Each kind of refusal was spent before its body was read: past the budget, all three are 429.
    const past = await Promise.all(refused.map((call) => call()));
    expectRateLimited(past);
  });

  it('limits failed admin authentications per address: past the budget even a valid token from there is refused unread; another address signs in', async () => {
    const attacker = sender(system.gatewayUrl, '127.0.0.8');
    const list = (send: ReturnType<typeof sender>, token: string) => send('GET', '/v1/admin/verification-failures', '', { authorization: `Bearer ${token}` });
    const answers = await inParallel(ADMIN_FAILURES_LIMIT * 5, 10, () => list(attacker, madeUp('at')));
    const refused = answers.filter((answer) => answer.status === 401);
    // The fixed window may turn over once during the flood.
    expect(refused.length).toBeGreaterThanOrEqual(ADMIN_FAILURES_LIMIT);
    expect(refused.length).toBeLessThanOrEqual(2 * ADMIN_FAILURES_LIMIT);
    expectRateLimited(answers.filter((answer) => answer.status !== 401));
    // A token that would check out is not looked up from the flooded address: the budget decides first.
    expectRateLimited([await list(attacker, widget.adminToken)]);
    expect((await list(sender(system.gatewayUrl, '127.0.0.9'), widget.adminToken)).status).toBe(200);
  });

  it('believes X-Forwarded-For only from a trusted proxy (TRUST_PROXY)', async () => {
    const behindProxy = await system.start('gateway', { TRUST_PROXY: 'loopback' });
    const proxy = caller(behindProxy.url, '127.0.0.6');
    const from = (client: string) =>
      proxy('messages', { key: widget.key, visitor_token: madeUp('vt'), client_message_id: 'x', text: 'x' }, { 'x-forwarded-for': client });
    const first = await inParallel(ADDRESS_LIMIT + 1, 10, () => from('203.0.113.1'));
    expect(first.filter((answer) => answer.status === 429).length).toBeGreaterThanOrEqual(1);
    // The same proxy, another client behind it: its own budget.
    expect((await from('203.0.113.2')).status).toBe(403);
  });
});
