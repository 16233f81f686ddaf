import { userHash } from '@inviaro/crypto';
import { AdminClient, createWidget, RunningSystem, startSystem, TestWidget, waitFor, WidgetClient, WidgetStream } from '@inviaro/test-harness';
import Redis from 'ioredis';

// Issue 24: admin tokens with roles that can be revoked, widgets that change, and the audit log, on a
// system with two gateways (a revoke or a change answered by one is in force on the other at once).
jest.setTimeout(180_000);

describe('administering a workspace: tokens and roles, widget changes, the audit log', () => {
  let system: RunningSystem;
  let shop: TestWidget;
  /** The same workspace's admin API through the second gateway. */
  let second: (token: string) => AdminClient;
  /** The second gateway's URL: widget calls go there while the admin calls go to the first. */
  let secondUrl: string;
  /** Resolves once the stream has ended, or fails the test after `ms`. */
  const endsWithin = (stream: WidgetStream, what: string, ms = 15_000) =>
    Promise.race([
      stream.ended,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: the stream is still open after ${ms} ms`)), ms).unref()),
    ]);

  beforeAll(async () => {
    system = await startSystem();
    const other = await system.start('gateway');
    second = (token) => new AdminClient(other.url, token);
    secondUrl = other.url;
    shop = await createWidget(system);
  });
  afterAll(() => system?.stop());

  const tokenNamed = async (name: string, role: string) => {
    const made = await shop.admin.call<{ id: string; name: string; role: string; token: string }>('POST', 'tokens', { name, role });
    expect(made.status).toBe(201);
    return made.body;
  };

  test('tokens: made with a name and role and shown once, listed without the token, revoked on every gateway at once', async () => {
    const leaked = await tokenNamed('ci deploy', 'admin');
    expect(leaked).toEqual({ id: expect.any(String), name: 'ci deploy', role: 'admin', token: expect.stringMatching(/^at_/) });
    expect((await second(leaked.token).call('GET', 'widgets')).status).toBe(200);

    const listed = await shop.admin.call<{ tokens: Array<Record<string, unknown>> }>('GET', 'tokens');
    expect(listed.status).toBe(200);
    expect(listed.body.tokens).toEqual([
      { id: expect.any(String), name: 'first admin token', role: 'admin', created_at: expect.any(String), last_used_at: expect.any(String) },
      { id: leaked.id, name: 'ci deploy', role: 'admin', created_at: expect.any(String), last_used_at: expect.any(String) },
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(leaked.token);

    // Revoked through the first gateway; the second refuses it on the very next call.
    expect((await shop.admin.call('DELETE', `tokens/${leaked.id}`)).status).toBe(204);
    const refused = await second(leaked.token).call('GET', 'widgets');
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect((await shop.admin.call('DELETE', `tokens/${leaked.id}`)).status).toBe(404);
    expect((await shop.admin.call('POST', 'tokens', { name: 'x', role: 'owner' })).body).toMatchObject({
      error: { code: 'invalid_request', message: expect.stringContaining('role must be one of admin, support') },
    });
  });

  test('the last admin token cannot be revoked (409); with another admin token it can', async () => {
    const { tokens } = (await shop.admin.call<{ tokens: Array<{ id: string; name: string }> }>('GET', 'tokens')).body;
    const first = tokens.find((t) => t.name === 'first admin token')!;
    const support = await tokenNamed('support: Dana', 'support');
    expect(await shop.admin.call('DELETE', `tokens/${first.id}`)).toMatchObject({ status: 409, body: { error: { code: 'last_admin_token' } } });
    const next = await tokenNamed('admin: Sam', 'admin');
    const sam = second(next.token);
    expect((await sam.call('DELETE', `tokens/${first.id}`)).status).toBe(204);
    expect((await shop.admin.call('GET', 'widgets')).status).toBe(401);
    shop = { ...shop, admin: sam, adminToken: next.token };
    expect((await sam.call('DELETE', `tokens/${support.id}`)).status).toBe(204);
  });

  test('a support token reads contacts, conversations and failures; secrets, policy, tokens, widgets and the audit log answer 403', async () => {
    const support = second((await tokenNamed('support: Lee', 'support')).token);
    for (const path of ['contacts', 'verification-failures']) expect((await support.call('GET', path)).status).toBe(200);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await support.call('POST', `conversations/${missing}/replies`, { text: 'hello' })).status).toBe(404);
    const forbidden: Array<[method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Record<string, unknown>]> = [
      ['GET', 'widgets'],
      ['POST', 'widgets', { name: 'x', allowed_origins: ['https://x.example'] }],
      ['PATCH', `widgets/${shop.widgetId}`, { identity_policy: 'jwt' }],
      ['POST', `widgets/${shop.widgetId}/secret/reveal`],
      ['POST', `widgets/${shop.widgetId}/secret/rotate`],
      ['GET', `widgets/${shop.widgetId}/secret`],
      ['GET', 'tokens'],
      ['POST', 'tokens', { name: 'escalate', role: 'admin' }],
      ['GET', 'audit-log'],
    ];
    for (const [method, path, body] of forbidden) {
      expect({ method, path, answer: await support.call(method, path, body) }).toMatchObject({
        method,
        path,
        answer: { status: 403, body: { error: { code: 'forbidden' } } },
      });
    }
    expect((await shop.admin.call<{ identity_policy: string }>('GET', 'widgets')).body).toMatchObject({ widgets: [{ identity_policy: 'user_hash' }] });
  });

  test('PATCH a widget: rename, new origins (a removed one gets 403 on every gateway at once and its live streams end), policy; an unknown field is a 400 naming it', async () => {
    const widgetApi = new WidgetClient(secondUrl, shop);
    const visitor = await widgetApi.newVisitor();
    expect((await widgetApi.postMessage(visitor, { client_message_id: 'p1', text: 'before' })).status).toBe(202);
    const stream = await WidgetStream.open(secondUrl, shop, { visitor_token: visitor });

    const renamed = await shop.admin.call('PATCH', `widgets/${shop.widgetId}`, { name: 'Shop (EU)', allowed_origins: ['https://eu.shop.example'] });
    expect(renamed).toMatchObject({
      status: 200,
      body: { id: shop.widgetId, name: 'Shop (EU)', allowed_origins: ['https://eu.shop.example'], identity_policy: 'user_hash' },
    });
    const removed = await widgetApi.postMessage(visitor, { client_message_id: 'p2', text: 'after' });
    expect(removed).toMatchObject({ status: 403, body: { error: { code: 'origin_not_allowed' } } });
    await endsWithin(stream, 'the stream from the removed origin');
    const moved = new WidgetClient(system.gatewayUrl, shop, 'https://eu.shop.example');
    expect((await moved.postMessage(visitor, { client_message_id: 'p3', text: 'moved' })).status).toBe(202);

    expect((await shop.admin.call('PATCH', `widgets/${shop.widgetId}`, { identity_policy: 'either' })).body).toMatchObject({
      name: 'Shop (EU)',
      identity_policy: 'either',
    });
    expect(await shop.admin.call('PATCH', `widgets/${shop.widgetId}`, { name: 'x', colour: 'red' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringMatching(/^colour: not a field of this route/) } },
    });
    expect((await shop.admin.call('PATCH', `widgets/${shop.widgetId}`, { allowed_origins: ['https://eu.shop.example/path'] })).status).toBe(400);
    expect((await shop.admin.call('PATCH', `widgets/${shop.widgetId}`, {})).status).toBe(400);
    expect((await shop.admin.call<{ name: string }>('GET', 'widgets')).body).toMatchObject({ widgets: [{ name: 'Shop (EU)', identity_policy: 'either' }] });
  });

  test('DELETE a widget: its key stops working on every gateway at once, its streams end, its secret is gone from PostgreSQL and Redis; its contacts stay', async () => {
    const doomed = await createWidget(system, 'https://doomed.example', shop);
    const widgetApi = new WidgetClient(secondUrl, doomed);
    const visitor = await widgetApi.newVisitor();
    const claim = { user_id: 'u-doomed', user_hash: userHash('u-doomed', doomed.secret) };
    expect((await widgetApi.postMessage(visitor, { client_message_id: 'd1', text: 'hello', ...claim })).status).toBe(202);
    const stream = await WidgetStream.open(secondUrl, doomed, { visitor_token: visitor, ...claim });
    const redis = new Redis(system.servers.redisUrl);
    try {
      // The verifier cached the secret when it verified the claim: the positive control for its absence below.
      await waitFor('the secret cached', async () => ((await redis.exists(`inviaro:{${doomed.widgetId}}:secret`)) === 1 ? true : undefined), 30_000);
      await waitFor(
        'the contact stored',
        async () => {
          const found = await shop.admin.call<{ contacts: unknown[] }>('GET', 'contacts?user_id=u-doomed');
          return found.body.contacts.length === 1 ? true : undefined;
        },
        30_000,
      );

      expect((await shop.admin.call('DELETE', `widgets/${doomed.widgetId}`)).status).toBe(204);
      expect(await widgetApi.postMessage(visitor, { client_message_id: 'd2', text: 'after' })).toMatchObject({
        status: 404,
        body: { error: { code: 'widget_not_found' } },
      });
      expect((await widgetApi.call('visitors', {})).status).toBe(404);
      await endsWithin(stream, 'the deleted widget’s stream');
      expect(await redis.exists(`inviaro:{${doomed.widgetId}}:secret`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect(await system.sql('SELECT version FROM widget_secrets WHERE widget_id = $1', [doomed.widgetId])).toEqual([]);
    for (const [method, path] of [
      ['DELETE', `widgets/${doomed.widgetId}`],
      ['PATCH', `widgets/${doomed.widgetId}`],
      ['POST', `widgets/${doomed.widgetId}/secret/rotate`],
    ] as const) {
      expect({ path, answer: await shop.admin.call(method, path, method === 'PATCH' ? { name: 'back' } : undefined) }).toMatchObject({
        path,
        answer: { status: 404 },
      });
    }
    expect((await shop.admin.call<{ widgets: Array<{ id: string }> }>('GET', 'widgets')).body.widgets.map((w) => w.id)).toEqual([shop.widgetId]);
    expect((await shop.admin.call<{ contacts: unknown[] }>('GET', 'contacts?user_id=u-doomed')).body.contacts).toHaveLength(1);
  });

  test('the audit log records who did what, on what, from where, and how it ended; newest first, filtered, paged', async () => {
    expect((await shop.admin.call('POST', `widgets/${shop.widgetId}/secret/reveal`)).status).toBe(410);
    expect((await shop.admin.call('POST', `widgets/${shop.widgetId}/secret/rotate`)).status).toBe(200);
    type Entries = { entries: Array<Record<string, unknown>>; next_cursor: string | null };
    const all = await shop.admin.call<Entries>('GET', 'audit-log?limit=200');
    expect(all.status).toBe(200);
    const actions = all.body.entries.map((e) => `${String(e.action)} ${String(e.outcome)}`).reverse();
    expect(actions).toEqual([
      'widget.create ok',
      'secret.reveal ok',
      'token.create ok',
      'token.revoke ok',
      'token.revoke token_not_found',
      'token.create invalid_request',
      'token.create ok',
      'token.revoke last_admin_token',
      'token.create ok',
      'token.revoke ok',
      'token.revoke ok',
      'token.create ok',
      'widget.create forbidden',
      'widget.policy forbidden',
      'secret.reveal forbidden',
      'secret.rotate forbidden',
      'token.create forbidden',
      'widget.update ok',
      'widget.policy ok',
      'widget.update invalid_request',
      'widget.update invalid_request',
      'widget.update invalid_request',
      'widget.create ok',
      'secret.reveal ok',
      'widget.delete ok',
      'widget.delete widget_not_found',
      'widget.update widget_not_found',
      'secret.rotate widget_not_found',
      'secret.reveal secret_already_revealed',
      'secret.rotate ok',
    ]);
    const [rotate] = all.body.entries;
    expect(rotate).toEqual({
      id: expect.any(String),
      at: expect.any(String),
      action: 'secret.rotate',
      token_id: expect.any(String),
      token_name: 'admin: Sam',
      client_address: '127.0.0.1',
      target: { type: 'widget', id: shop.widgetId },
      outcome: 'ok',
      status: 200,
    });
    const forbidden = all.body.entries.find((e) => e.outcome === 'forbidden')!;
    expect(forbidden).toMatchObject({ token_name: 'support: Lee', status: 403 });
    // No secret, no token in the log.
    expect(JSON.stringify(all.body)).not.toMatch(/[0-9a-f]{64}|at_[A-Za-z0-9_-]{20}/);

    const revokes = await shop.admin.call<Entries>('GET', 'audit-log?action=token.revoke');
    expect(revokes.body.entries.map((e) => e.outcome)).toEqual(['ok', 'ok', 'last_admin_token', 'token_not_found', 'ok']);
    const onWidget = await shop.admin.call<Entries>('GET', `audit-log?target_id=${shop.widgetId}&limit=3`);
    expect(onWidget.body.entries.map((e) => e.action)).toEqual(['secret.rotate', 'secret.reveal', 'widget.update']);
    const next = await shop.admin.call<Entries>('GET', `audit-log?target_id=${shop.widgetId}&limit=3&cursor=${onWidget.body.next_cursor!}`);
    expect(next.body.entries.map((e) => e.action)).toEqual(['widget.update', 'widget.update', 'widget.policy']);
    expect((await shop.admin.call('GET', 'audit-log?action=secret.peek')).status).toBe(400);
    expect((await shop.admin.call('GET', 'audit-log?cursor=bogus')).status).toBe(400);
  });
});
