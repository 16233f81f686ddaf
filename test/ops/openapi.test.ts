import { userHash } from '@inviaro/crypto';
import { createWidget, nth, RunningSystem, startSystem, TestWidget, waitFor, WidgetClient } from '@inviaro/test-harness';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// The gateway's OpenAPI description against the running gateway (from the build: `npm run build` first):
// every route it serves is described, and every answer to a real call is a documented status with a
// body that matches the documented schema exactly (no field missing, none undocumented).
jest.setTimeout(180_000);

/** Operations endpoints, not part of the widget or admin API (docs/operations.md). */
const NOT_API = ['GET /health/live', 'GET /health/ready', 'GET /metrics'];

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Record<string, unknown>> } };

describe('the OpenAPI description of the widget and admin APIs', () => {
  let system: RunningSystem;
  let widget: TestWidget;
  let document: Document;
  let ajv: Ajv;
  /** Every (operation, status) a real call got: each success documented must be among them. */
  const seen = new Set<string>();

  /** The documented operation whose path template matches a concrete path. */
  function operation(method: string, path: string): { template: string; op: Operation } {
    for (const [template, methods] of Object.entries(document.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+').replace(/\./g, '\\.')}$`);
      const op = methods[method.toLowerCase()];
      if (pattern.test(path) && op) return { template, op };
    }
    throw new Error(`${method} ${path} is not documented`);
  }

  /** Calls the gateway and checks the answer against the description. */
  async function call<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { body?: unknown; raw?: string; token?: string; origin?: string } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.origin) headers.origin = options.origin;
    const response = await fetch(`${system.gatewayUrl}${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const { template, op } = operation(method, path.replace(/\?.*$/, ''));
    const status = String(response.status);
    const documented = op.responses[status];
    expect({ call: `${method} ${template}`, status, documented: documented !== undefined }).toEqual({
      call: `${method} ${template}`,
      status,
      documented: true,
    });
    seen.add(`${method} ${template} ${status}`);
    const text = await response.text();
    const json = documented?.content?.['application/json'];
    if (!json) {
      const [type] = Object.keys(documented?.content ?? {});
      if (type) expect(response.headers.get('content-type')).toContain(type);
      else expect(text).toBe('');
      return { status: response.status, body: undefined as T };
    }
    const body: T = JSON.parse(text);
    const validate: ValidateFunction = ajv.compile(json.schema!);
    if (!validate(body)) throw new Error(`${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${text.slice(0, 2000)}`);
    if (status === '429' || status === '503') expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    return { status: response.status, body };
  }

  beforeAll(async () => {
    system = await startSystem();
    widget = await createWidget(system);
    const response = await fetch(`${system.gatewayUrl}/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as Document;
    // Exactly the documented fields: an answer with a field the description lacks fails.
    const strict = structuredClone(document.components.schemas);
    for (const schema of Object.values(strict)) if (schema.properties) schema.additionalProperties = false;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: { schemas: strict } });
    const resolve = (schema: object): object => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi.json#/components/'));
    const compile = ajv.compile.bind(ajv);
    ajv.compile = ((schema: object) => compile(resolve(schema))) as typeof ajv.compile;
  });
  afterAll(() => system?.stop());

  test('it is OpenAPI 3, served as /openapi.json and as a readable page at /docs', async () => {
    expect(document.openapi).toMatch(/^3\./);
    const page = await fetch(`${system.gatewayUrl}/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    expect(document.components.schemas.ErrorAnswer).toEqual({
      type: 'object',
      properties: { error: { $ref: '#/components/schemas/ErrorDetail' } },
      required: ['error'],
    });
  });

  test('every route the gateway serves is described, and every error answer has the error shape', () => {
    const mapped = [
      ...nth(system.processes, 0)
        .output()
        .matchAll(/Mapped \{([^,]+), (\w+)\} route/g),
    ].map(([, path = '', method]) => `${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(mapped.length).toBeGreaterThan(10);
    const documented = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(mapped.filter((route) => !NOT_API.includes(route)).sort()).toEqual(documented.sort());
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, answer] of Object.entries(op.responses)) {
          if (Number(status) >= 400)
            expect({ route: `${method} ${path}`, status, schema: answer.content?.['application/json']?.schema }).toEqual({
              route: `${method} ${path}`,
              status,
              schema: { $ref: '#/components/schemas/ErrorAnswer' },
            });
        }
        expect({ route: `${method} ${path}`, has503: '503' in op.responses }).toEqual({ route: `${method} ${path}`, has503: true });
      }
    }
  });

  test('real answers of the widget and admin APIs match the description', async () => {
    const { origin, key, adminToken: token } = widget;
    expect((await call('POST', '/v1/widget/visitors', { body: {}, origin })).status).toBe(400);
    expect((await call('POST', '/v1/widget/visitors', { body: { key }, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('POST', '/v1/widget/visitors', { body: { key: 'wt_nope' }, origin })).status).toBe(404);
    const { visitor_token } = (await call<{ visitor_token: string }>('POST', '/v1/widget/visitors', { body: { key }, origin })).body;
    const visitor = { key, visitor_token };
    const claim = { user_id: 'alice', user_hash: userHash('alice', widget.secret) };
    expect((await call('POST', '/v1/widget/messages', { body: { ...visitor, client_message_id: 'm1', text: 'hello' }, origin })).status).toBe(202);
    expect(
      (await call('POST', '/v1/widget/messages', { body: { ...visitor, client_message_id: 'm2', text: 'hi', ...claim, email: 'a@example.com' }, origin }))
        .status,
    ).toBe(202);
    expect(
      (
        await call('POST', '/v1/widget/messages', {
          body: { ...visitor, client_message_id: 'm3', text: 'x', user_id: 'alice', user_hash: 'ab'.repeat(32) },
          origin,
        })
      ).status,
    ).toBe(202);
    expect((await call('POST', '/v1/widget/messages', { body: { key, visitor_token: 'vt_wrong', client_message_id: 'm4', text: 'x' }, origin })).status).toBe(
      401,
    );
    expect((await call('POST', '/v1/widget/identify', { body: { ...visitor, ...claim }, origin })).status).toBe(202);
    // m1 (folded into alice), m2 (alice), m3 (a failed claim: the visitor's anonymous history).
    await waitFor(
      'the three messages stored',
      async () =>
        (await new WidgetClient(system.gatewayUrl, widget).call<{ messages: unknown[] }>('history', { ...visitor, ...claim })).body.messages?.length === 3
          ? true
          : undefined,
      60_000,
    );
    expect((await call('POST', '/v1/widget/history', { body: { ...visitor, ...claim }, origin })).status).toBe(200);

    const stream = await fetch(`${system.gatewayUrl}/v1/widget/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify(visitor),
    });
    expect(stream.headers.get('content-type')).toContain(Object.keys(operation('POST', '/v1/widget/stream').op.responses['200']?.content ?? {})[0]);
    await stream.body?.cancel();
    seen.add('POST /v1/widget/stream 200');
    expect((await call('GET', '/v1.js')).status).toBe(200);

    expect((await call('POST', '/v1/admin/widgets', { body: { name: 'Shop', allowed_origins: ['https://shop.example'] } })).status).toBe(401);
    expect((await call('POST', '/v1/admin/widgets', { body: { name: 'Shop', allowed_origins: ['not an origin'] }, token })).status).toBe(400);
    const created = (await call<{ id: string }>('POST', '/v1/admin/widgets', { body: { name: 'Second', allowed_origins: ['https://second.example'] }, token }))
      .body;
    expect((await call<{ widgets: unknown[] }>('GET', '/v1/admin/widgets', { token })).body.widgets).toHaveLength(2);
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/reveal`, { token })).status).toBe(200);
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/reveal`, { token })).status).toBe(410);
    expect((await call('POST', '/v1/admin/widgets/not-a-uuid/secret/reveal', { token })).status).toBe(400);
    expect((await call('POST', `/v1/admin/widgets/00000000-0000-4000-8000-000000000000/secret/rotate`, { token })).status).toBe(404);
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/rotate`, { token })).status).toBe(200);
    // Staged rotation and identity policy (docs/identity-jwt.md).
    expect((await call('GET', `/v1/admin/widgets/${created.id}/secret`, { token })).body).toEqual({ secret_version: 2 });
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/retire`, { token })).status).toBe(409);
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/stage`, { token })).status).toBe(200);
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/stage`, { token })).status).toBe(409);
    expect((await call('GET', `/v1/admin/widgets/${created.id}/secret`, { token })).body).toEqual({
      secret_version: 3,
      previous_secret: { secret_version: 2, claims_last_hour: 0 },
    });
    expect((await call('POST', `/v1/admin/widgets/${created.id}/secret/retire`, { token })).status).toBe(200);
    expect((await call('PATCH', `/v1/admin/widgets/${created.id}`, { body: { identity_policy: 'either' }, token })).status).toBe(200);
    expect((await call('PATCH', `/v1/admin/widgets/${created.id}`, { body: { identity_policy: 'hmac' }, token })).status).toBe(400);
    expect((await call('PATCH', '/v1/admin/widgets/00000000-0000-4000-8000-000000000000', { body: { identity_policy: 'jwt' }, token })).status).toBe(404);
    // The claim check (issue 23): a verdict with its hint, a claim of neither kind, an unknown widget.
    expect(
      (await call('POST', `/v1/admin/widgets/${widget.widgetId}/claim-check`, { body: { user_id: 'alice', user_hash: 'ab'.repeat(32) }, token })).status,
    ).toBe(200);
    expect((await call('POST', `/v1/admin/widgets/${widget.widgetId}/claim-check`, { body: { user_id: 'alice' }, token })).status).toBe(400);
    expect((await call('POST', '/v1/admin/widgets/00000000-0000-4000-8000-000000000000/claim-check', { body: { user_jwt: 'a.b.c' }, token })).status).toBe(404);
    // Enforce mode and the verification health report (docs/identity-required.md).
    expect((await call('PATCH', `/v1/admin/widgets/${created.id}`, { body: { identity_required: true, sign_in_prompt: 'Sign in first' }, token })).status).toBe(
      200,
    );
    await waitFor(
      'the claims counted',
      async () =>
        (await widget.admin.call<{ totals: { verified: { total: number } } }>('GET', `widgets/${widget.widgetId}/verification`)).body.totals.verified.total > 0
          ? true
          : undefined,
      60_000,
    );
    expect((await call('GET', `/v1/admin/widgets/${widget.widgetId}/verification?since=7d`, { token })).status).toBe(200);
    expect((await call('GET', `/v1/admin/widgets/${widget.widgetId}/verification?since=forever`, { token })).status).toBe(400);
    expect((await call('GET', `/v1/admin/widgets/00000000-0000-4000-8000-000000000000/verification`, { token })).status).toBe(404);

    await waitFor('the failure recorded', async () => ((await widget.admin.failures()).body.failures.length > 0 ? true : undefined), 60_000);
    expect(
      (await call<{ failures: unknown[] }>('GET', `/v1/admin/verification-failures?widget_id=${widget.widgetId}&limit=1`, { token })).body.failures,
    ).toHaveLength(1);
    expect((await call('GET', '/v1/admin/verification-failures?cursor=bogus', { token })).status).toBe(400);
    expect((await call('GET', '/v1/admin/verification-failures?widget_id=00000000-0000-4000-8000-000000000000', { token })).status).toBe(404);

    const { contacts } = (await call<{ contacts: Array<{ id: string; is_verified: boolean; user_id: string | null }> }>('GET', '/v1/admin/contacts', { token }))
      .body;
    expect(contacts.length).toBeGreaterThan(0);
    expect((await call('GET', '/v1/admin/contacts?verified=maybe', { token })).status).toBe(400);
    const contact = (await call<{ conversations: Array<{ id: string }> }>('GET', `/v1/admin/contacts/${contacts.find((c) => c.is_verified)!.id}`, { token }))
      .body;
    expect((await call('GET', '/v1/admin/contacts/00000000-0000-4000-8000-000000000000', { token })).status).toBe(404);
    expect(
      (await call('POST', `/v1/admin/conversations/${nth(contact.conversations, 0).id}/replies`, { body: { text: 'hello from support' }, token })).status,
    ).toBe(201);
    expect((await call('POST', '/v1/admin/conversations/00000000-0000-4000-8000-000000000000/replies', { body: { text: 'x' }, token })).status).toBe(404);
    expect((await call('GET', `/v1/admin/conversations/${nth(contact.conversations, 0).id}/messages?limit=1`, { token })).status).toBe(200);
    expect((await call('GET', '/v1/admin/conversations/00000000-0000-4000-8000-000000000000/messages', { token })).status).toBe(404);
    const verified = contacts.find((c) => c.is_verified)!;
    expect((await call('GET', `/v1/admin/contacts/${verified.id}/export`, { token })).status).toBe(200);
    expect((await call('GET', '/v1/admin/contacts/00000000-0000-4000-8000-000000000000/export', { token })).status).toBe(404);
    expect((await call('DELETE', `/v1/admin/contacts/${verified.id}`, { token })).status).toBe(200);
    expect((await call('DELETE', '/v1/admin/contacts/00000000-0000-4000-8000-000000000000', { token })).status).toBe(404);
    // By user id it answers also once there is nothing left (all counts 0).
    expect((await call('DELETE', `/v1/admin/contacts?user_id=${encodeURIComponent(verified.user_id!)}`, { token })).status).toBe(200);
    expect((await call('DELETE', '/v1/admin/contacts', { token })).status).toBe(400);
    expect((await call('POST', '/v1/widget/logout', { body: visitor, origin })).status).toBe(204);

    // Admin tokens, widget changes and the audit log (issue 24).
    expect(
      (await call('PATCH', `/v1/admin/widgets/${created.id}`, { body: { name: 'Renamed', allowed_origins: ['https://second.example'] }, token })).status,
    ).toBe(200);
    const support = (await call<{ id: string; token: string }>('POST', '/v1/admin/tokens', { body: { name: 'support: Dana', role: 'support' }, token })).body;
    expect((await call('POST', '/v1/admin/tokens', { body: { name: 'x', role: 'owner' }, token })).status).toBe(400);
    expect((await call('GET', '/v1/admin/tokens', { token: support.token })).status).toBe(403);
    const { tokens } = (await call<{ tokens: Array<{ id: string; role: string }> }>('GET', '/v1/admin/tokens', { token })).body;
    expect((await call('DELETE', `/v1/admin/tokens/${tokens.find((t) => t.role === 'admin')!.id}`, { token })).status).toBe(409);
    expect((await call('DELETE', '/v1/admin/tokens/00000000-0000-4000-8000-000000000000', { token })).status).toBe(404);
    expect((await call('DELETE', `/v1/admin/tokens/${support.id}`, { token })).status).toBe(204);
    expect((await call('DELETE', `/v1/admin/widgets/${created.id}`, { token })).status).toBe(204);
    expect((await call<{ entries: unknown[] }>('GET', '/v1/admin/audit-log?limit=2', { token })).body.entries).toHaveLength(2);
    expect((await call('GET', '/v1/admin/audit-log?action=nope', { token })).status).toBe(400);

    // Every documented success was really answered (the 413s: the next test).
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const success = Object.keys(op.responses).find((status) => Number(status) < 400)!;
        expect(seen).toContain(`${method.toUpperCase()} ${path} ${success}`);
      }
    }
  });

  // Passes once the gateway answers an oversized body 413 instead of 500 (issue 12, another branch).
  test('a body over the limit answers 413 in the error shape', async () => {
    const { origin, key, adminToken: token } = widget;
    expect((await call('POST', '/v1/widget/visitors', { raw: JSON.stringify({ key, pad: 'x'.repeat(2_000_000) }), origin })).status).toBe(413);
    expect((await call('POST', '/v1/admin/widgets', { raw: JSON.stringify({ name: 'x'.repeat(2_000_000) }), token })).status).toBe(413);
  });
});
