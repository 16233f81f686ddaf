import { createHash } from 'node:crypto';
import { AdminClient, createWidget, createWorkspace, nth, RunningSystem, startSystem, TestWorkspace, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(120_000);

describe('workspaces, widgets and reveal-once secrets (admin API)', () => {
  let system: RunningSystem;
  let workspace: TestWorkspace;

  beforeAll(async () => {
    system = await startSystem();
    workspace = await createWorkspace(system, 'Acme');
  });
  afterAll(() => system?.stop());

  it('creates a workspace from the command line and keeps only the admin token’s hash', async () => {
    expect(workspace.workspaceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(workspace.adminToken).toMatch(/^at_[A-Za-z0-9_-]{32}$/);
    const rows = await system.sql<{ token_hash: Buffer }>(`SELECT token_hash FROM admin_tokens WHERE workspace_id = $1`, [workspace.workspaceId]);
    expect(rows).toHaveLength(1);
    // The stored bytes are the token's SHA-256 (what a sign-in looks up), not the token in any form.
    expect(nth(rows, 0).token_hash.equals(createHash('sha256').update(workspace.adminToken).digest())).toBe(true);
    expect(nth(rows, 0).token_hash.toString('utf8')).not.toContain(workspace.adminToken);
  });

  it('gives each visitor a token of at least 128 random bits, and keeps only its SHA-256', async () => {
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const tokens = await Promise.all(Array.from({ length: 64 }, () => client.newVisitor()));
    const randomParts = tokens.map((token) => {
      expect(token).toMatch(/^vt_[A-Za-z0-9_-]+$/);
      return Buffer.from(token.slice(3), 'base64url');
    });
    // Bits that differ between the 64 tokens: a random bit stays the same in all of them once in 2^63.
    const bits = Math.min(...randomParts.map((bytes) => bytes.length)) * 8;
    const bitOf = (bytes: Buffer, bit: number) => (bytes[bit >> 3]! >> (bit & 7)) & 1;
    const varying = Array.from({ length: bits }, (_, bit) => new Set(randomParts.map((bytes) => bitOf(bytes, bit))).size === 2).filter(Boolean).length;
    expect(varying).toBeGreaterThanOrEqual(128);
    const stored = await system.sql<{ token_hash: Buffer }>(`SELECT token_hash FROM visitors WHERE widget_id = $1`, [widget.widgetId]);
    expect(stored.map((row) => row.token_hash.toString('hex')).sort()).toEqual(tokens.map((token) => createHash('sha256').update(token).digest('hex')).sort());
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    const anonymous = await fetch(`${system.gatewayUrl}/v1/admin/widgets`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    const wrong = await new AdminClient(system.gatewayUrl, 'at_not-a-token').call('POST', 'widgets', { name: 'x', allowed_origins: ['https://a.example'] });
    expect(wrong.status).toBe(401);
  });

  it('creates a widget with a public key and its allowed origins, and names a bad field', async () => {
    const created = await workspace.admin.call('POST', 'widgets', { name: 'Shop', allowed_origins: ['https://shop.example', 'http://localhost:3000'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^wt_[0-9a-f]{24}$/),
      name: 'Shop',
      allowed_origins: ['https://shop.example', 'http://localhost:3000'],
    });

    const bad = await workspace.admin.call('POST', 'widgets', { name: 'Shop', allowed_origins: ['https://shop.example/path'] });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_request', message: expect.stringMatching(/^allowed_origins: /) } });
  });

  it('reveals a new secret exactly once among ten concurrent reads', async () => {
    const widget = await workspace.admin.createWidget('Concurrent', ['https://c.example']);
    const answers = await Promise.all(Array.from({ length: 10 }, () => workspace.admin.revealSecret(widget.id)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 410, 410, 410, 410, 410, 410, 410, 410, 410]);
    const revealed = answers.find((answer) => answer.status === 200)!;
    expect(revealed.body.widget_secret).toMatch(/^[0-9a-f]{64}$/);
    const gone = answers.find((answer) => answer.status === 410)!;
    expect(gone.body).toEqual({ error: { code: 'secret_already_revealed', message: expect.any(String) } });
  });

  it('rotates to a new secret whose one reveal is the rotate answer', async () => {
    const widget = await createWidget(system, 'https://r.example', workspace);
    const rotated = await workspace.admin.rotateSecret(widget.widgetId);
    expect(rotated.status).toBe(200);
    expect(rotated.body.widget_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.widget_secret).not.toBe(widget.secret);
    expect((await workspace.admin.revealSecret(widget.widgetId)).status).toBe(410);
  });

  it('answers 404 for another workspace’s widget, whatever the call', async () => {
    const other = await createWidget(system, 'https://other.example');
    for (const answer of [
      await workspace.admin.revealSecret(other.widgetId),
      await workspace.admin.rotateSecret(other.widgetId),
      await workspace.admin.failures(`?widget_id=${other.widgetId}`),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual({ error: { code: 'widget_not_found', message: expect.any(String) } });
    }
    // The other workspace's secret was not touched by those calls.
    expect((await other.admin.revealSecret(other.widgetId)).status).toBe(410);
  });
});
