import {
  CliRun,
  createWidget,
  createWorkspace,
  freePort,
  nth,
  runCli,
  RunningSystem,
  startSystem,
  TestWidget,
  TestWorkspace,
  waitFor,
  WidgetClient,
} from '@inviaro/test-harness';
import { KeyRing, userHash } from '@inviaro/crypto';
import { sign } from 'jsonwebtoken';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `inviaro widget ...` and `inviaro failures list` against a running system, from the build (`npm run build` first).
jest.setTimeout(180_000);

describe('npx inviaro widget / failures: the admin API from the command line', () => {
  let system: RunningSystem;
  let workspace: TestWorkspace;
  let other: TestWidget;
  /** No `npm start` of this checkout may lend its settings to these runs. */
  const noRunDir = mkdtempSync(join(tmpdir(), 'inviaro-no-run-'));
  const outputs: string[] = [];

  async function cli(
    args: string[],
    env: NodeJS.ProcessEnv = { INVIARO_ADMIN_TOKEN: workspace.adminToken, INVIARO_GATEWAY_URL: system.gatewayUrl },
  ): Promise<CliRun> {
    const base: NodeJS.ProcessEnv = { ...process.env, INVIARO_RUN_DIR: noRunDir };
    delete base.INVIARO_ADMIN_TOKEN;
    delete base.INVIARO_GATEWAY_URL;
    const run = await runCli(args, { ...base, ...env });
    outputs.push(run.stdout, run.stderr);
    return run;
  }

  beforeAll(async () => {
    system = await startSystem();
    workspace = await createWorkspace(system, 'Ops');
    other = await createWidget(system);
  });
  afterAll(async () => {
    await system?.stop();
    rmSync(noRunDir, { recursive: true, force: true });
  });

  test('widget create reveals the secret once, list shows the widgets, rotate-secret gives a new secret', async () => {
    const empty = await cli(['widget', 'list']);
    expect(empty).toEqual({ code: 0, stdout: expect.stringContaining('no widgets yet'), stderr: '' });

    const created = await cli(['widget', 'create', '--name', 'Shop', '--origin', 'https://shop.example', 'http://localhost:3000', '--json']);
    expect(created.stderr).toBe('');
    const widget = JSON.parse(created.stdout);
    expect(widget).toEqual({
      id: expect.any(String),
      key: expect.stringMatching(/^wt_/),
      name: 'Shop',
      allowed_origins: ['https://shop.example', 'http://localhost:3000'],
      widget_secret: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const again = await workspace.admin.revealSecret(widget.id);
    expect(again.status).toBe(410);

    const human = await cli(['widget', 'list', '--token', workspace.adminToken]);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+KEY\s+NAME\s+CREATED\s+ALLOWED ORIGINS$/);
    expect(human.stdout).toContain(`${widget.key}  Shop`);
    expect(human.stdout).toContain('https://shop.example, http://localhost:3000');
    const listed = JSON.parse((await cli(['widget', 'list', '--json'])).stdout);
    expect(listed).toEqual({
      widgets: [
        {
          id: widget.id,
          key: widget.key,
          name: 'Shop',
          allowed_origins: widget.allowed_origins,
          identity_policy: 'user_hash',
          identity_required: false,
          sign_in_prompt: null,
          created_at: expect.any(String),
        },
      ],
    });

    const rotated = await cli(['widget', 'rotate-secret', widget.id, '--json']);
    expect(rotated.stderr).toBe('');
    const { widget_secret } = JSON.parse(rotated.stdout);
    expect(widget_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(widget_secret).not.toBe(widget.widget_secret);
    expect((await cli(['widget', 'rotate-secret', widget.id])).stdout).toMatch(
      /^new secret of widget .* \(shown once; the old one no longer verifies\):\n[0-9a-f]{64}\n$/,
    );

    // The planned rotation and the identity policy (docs/identity-jwt.md).
    const staged = JSON.parse((await cli(['widget', 'stage-secret', widget.id, '--json'])).stdout);
    expect(staged).toEqual({ widget_id: widget.id, widget_secret: expect.stringMatching(/^[0-9a-f]{64}$/), secret_version: 4 });
    expect((await cli(['widget', 'secret-status', widget.id])).stdout).toBe(
      `widget ${widget.id}: secret version 4; version 3 still verifies, used by 0 claims in the last hour (retire it once that is 0)\n`,
    );
    expect((await cli(['widget', 'retire-secret', widget.id])).stdout).toBe(`widget ${widget.id}: only secret version 4 verifies now\n`);
    expect(JSON.parse((await cli(['widget', 'secret-status', widget.id, '--json'])).stdout)).toEqual({ widget_id: widget.id, secret_version: 4 });
    expect((await cli(['widget', 'set-policy', widget.id, 'jwt'])).stdout).toBe(`identity policy of widget ${widget.id}: jwt\n`);
    expect((await cli(['widget', 'set-policy', widget.id, 'hmac'])).stderr).toMatch(
      /^inviaro: the gateway answered 400 \(invalid_request: .*identity_policy must be one of user_hash, jwt, either\)/,
    );
  });

  test('token create / list / revoke, widget update / delete, audit list: a leaked token revoked as an operator types it (issue 24)', async () => {
    const team = await createWorkspace(system, 'Team');
    const env = { INVIARO_ADMIN_TOKEN: team.adminToken, INVIARO_GATEWAY_URL: system.gatewayUrl };
    const leaked = JSON.parse((await cli(['token', 'create', '--name', 'laptop of Kim', '--role', 'admin', '--json'], env)).stdout);
    expect(leaked).toEqual({ id: expect.any(String), name: 'laptop of Kim', role: 'admin', token: expect.stringMatching(/^at_/) });
    const support = await cli(['token', 'create', '--name', 'support: Dana', '--role', 'support'], env);
    expect(support.stdout).toMatch(/^support token [0-9a-f-]{36} "support: Dana" \(shown once\):\nat_\S+\n$/);

    const listed = await cli(['token', 'list'], env);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+ROLE\s+CREATED\s+LAST USED\s+NAME$/);
    expect(listed.stdout).toContain('first admin token');
    expect(listed.stdout).toContain('laptop of Kim');
    expect(listed.stdout).not.toContain(leaked.token);

    expect((await cli(['token', 'revoke', leaked.id], env)).stdout).toBe(`token ${leaked.id} revoked: it is refused from now on\n`);
    const refused = await cli(['widget', 'list'], { ...env, INVIARO_ADMIN_TOKEN: leaked.token });
    expect(refused.stderr).toContain('inviaro: the gateway refused the admin token (unauthorized:');
    const first = JSON.parse(nth((await cli(['token', 'list', '--json'], env)).stdout.split('\n'), 0));
    expect((await cli(['token', 'revoke', first.id], env)).stderr).toBe(
      'inviaro: the gateway answered 409 (last_admin_token: this is the workspace’s last admin token: create another admin token before revoking it)\n',
    );

    const widget = JSON.parse((await cli(['widget', 'create', '--name', 'Blog', '--origin', 'https://blog.example', '--json'], env)).stdout);
    const updated = await cli(['widget', 'update', widget.id, '--name', 'Blog (new)', '--origin', 'https://new.blog.example', 'https://blog.example'], env);
    expect(updated.stdout).toBe(`widget ${widget.id}: Blog (new), allowed origins https://new.blog.example, https://blog.example\n`);
    expect((await cli(['widget', 'update', widget.id], env)).stderr).toBe('inviaro: widget update: pass --name, --origin or both\n');
    expect((await cli(['widget', 'delete', widget.id], env)).stdout).toBe(`widget ${widget.id} deleted: its key no longer works and its secret is destroyed\n`);
    expect((await cli(['widget', 'list', '--json'], env)).stdout).toBe('{"widgets":[]}\n');

    const audit = await cli(['audit', 'list', '--limit', '4'], env);
    expect(audit.stdout.split('\n')[0]).toMatch(/^AT\s+ACTION\s+OUTCOME\s+TARGET\s+TOKEN\s+FROM$/);
    const entries = (await cli(['audit', 'list', '--json'], env)).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((e) => `${e.action} ${e.outcome}`)).toEqual([
      'widget.delete ok',
      'widget.update ok',
      'secret.reveal ok',
      'widget.create ok',
      'token.revoke last_admin_token',
      'token.revoke ok',
      'token.create ok',
      'token.create ok',
    ]);
    const revokes = await cli(['audit', 'list', '--action', 'token.revoke', '--target', leaked.id, '--json'], env);
    expect(JSON.parse(revokes.stdout)).toMatchObject({
      action: 'token.revoke',
      token_name: 'first admin token',
      target: { type: 'token', id: leaked.id },
      outcome: 'ok',
    });
    expect((await cli(['audit', 'list', '--since', '1h', '--limit', '2', '--json'], env)).stdout.trim().split('\n')).toHaveLength(2);
  });

  test('secrets new-master-key checks its kid with the parser the services read INVIARO_MASTER_KEYS with (issue 24)', async () => {
    const bad = await cli(['secrets', 'new-master-key', '--kid', 'bad kid!'], {});
    expect(bad).toEqual({
      code: 1,
      stdout: '',
      stderr: 'inviaro: --kid "bad kid!": entry 1 of the key ring is not kid:base64 (kid of letters, digits, _ . -)\n',
    });
    const good = await cli(['secrets', 'new-master-key', '--kid', 'k2026-12'], {});
    expect(good.code).toBe(0);
    expect(KeyRing.parse(good.stdout.trim()).currentKeyId).toBe('k2026-12');
  });

  test("another workspace's widget is not found; a token of none is refused; a gateway that is away is named", async () => {
    const foreign = await cli(['widget', 'rotate-secret', other.widgetId]);
    expect(foreign).toEqual({
      code: 1,
      stdout: '',
      stderr: 'inviaro: the gateway answered 404 (widget_not_found: no widget with this id in your workspace)\n',
    });
    const malformed = await cli(['widget', 'rotate-secret', 'not-an-id']);
    expect(malformed.stderr).toMatch(/^inviaro: the gateway answered 400 \(/);

    const noToken = await cli(['widget', 'list'], { INVIARO_GATEWAY_URL: system.gatewayUrl });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('no admin token: pass --token or set INVIARO_ADMIN_TOKEN');
    const wrong = await cli(['widget', 'list', '--token', 'at_wrong', '--gateway', system.gatewayUrl], {});
    expect(wrong.stderr).toBe(
      'inviaro: the gateway refused the admin token (unauthorized: a valid admin token is required (Authorization: Bearer <token>)): pass a token of this workspace with --token or INVIARO_ADMIN_TOKEN\n',
    );
    const nobody = `http://127.0.0.1:${await freePort()}`;
    const away = await cli(['widget', 'list', '--gateway', nobody]);
    expect(away.stderr).toContain(`inviaro: cannot reach the gateway at ${nobody} (ECONNREFUSED): is it running? Pass --gateway or set INVIARO_GATEWAY_URL`);
  });

  test('widget health: verified, anonymous and failed claims per hour, as a table and as JSON', async () => {
    const healthy = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, healthy);
    const visitor = await client.newVisitor();
    await client.postMessage(visitor, { client_message_id: 'health-ok', text: 'x', user_id: 'usr_9', user_hash: userHash('usr_9', healthy.secret) });
    await client.postMessage(visitor, { client_message_id: 'health-none', text: 'x' });
    await client.postMessage(visitor, { client_message_id: 'health-bad', text: 'x', user_id: 'usr_9', user_hash: 'ab'.repeat(32) });
    const asOwner = { INVIARO_ADMIN_TOKEN: healthy.adminToken, INVIARO_GATEWAY_URL: system.gatewayUrl };
    const health = await waitFor('the three events counted', async () => {
      const answer = JSON.parse((await cli(['widget', 'health', healthy.widgetId, '--json'], asOwner)).stdout);
      expect(answer.totals).toEqual({
        verified: { total: 1, user_hash: 1, user_jwt: 0, by_secret_version: [{ secret_version: 1, count: 1 }] },
        anonymous: 1,
        failed: { total: 1, by_reason: [{ reason: 'mismatch', count: 1 }] },
      });
      return answer as { hours: Array<{ hour: string }> };
    });
    const human = await cli(['widget', 'health', healthy.widgetId, '--since', '7d'], asOwner);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^widget ${healthy.widgetId} since \\S+; last verified claim 20`));
    expect(lines[1]).toMatch(/^HOUR \(UTC\)\s+VERIFIED\s+ANONYMOUS\s+FAILED$/);
    expect(lines.at(-1)).toMatch(/^TOTAL\s+1 \(hash 1, jwt 0, v1 1\)\s+1\s+1 \(mismatch 1\)$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${health.hours[0]!.hour}\\s+1 \\(hash 1`)));
    expect((await cli(['widget', 'health', healthy.widgetId, '--since', 'soon'], asOwner)).stderr).toMatch(/400 \(invalid_request: since: /);
  });

  test('failures list: newest first, by widget, since a time, limited; never a hash', async () => {
    const env = { INVIARO_ADMIN_TOKEN: other.adminToken, INVIARO_GATEWAY_URL: system.gatewayUrl };
    expect((await cli(['failures', 'list'], env)).stdout).toBe('no failed claims\n');
    const client = new WidgetClient(system.gatewayUrl, other);
    const visitor = await client.newVisitor();
    const badHash = 'ab'.repeat(32);
    for (let i = 0; i < 3; i++) {
      const posted = await client.postMessage(visitor, { client_message_id: `f${i}`, text: 'hi', user_id: `user-${i}`, user_hash: badHash });
      expect(posted.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor(
      'three failures, their messages stored',
      async () => {
        const listed = (await other.admin.failures()).body.failures;
        return listed.length === 3 && listed.every((failure) => failure.conversation_id) ? true : undefined;
      },
      60_000,
    );

    const all = await cli(['failures', 'list', '--json'], env);
    const rows = all.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.map((r) => r.claimed_user_id)).toEqual(['user-2', 'user-1', 'user-0']);
    expect(rows[0]).toEqual({
      widget_id: other.widgetId,
      visitor_id: expect.any(String),
      claimed_user_id: 'user-2',
      distinct_user_ids: null,
      reason: 'mismatch',
      count: 1,
      first_at: expect.any(String),
      last_at: expect.any(String),
      at: expect.any(String),
      contact_id: expect.any(String),
      conversation_id: expect.any(String),
    });

    const human = await cli(['failures', 'list', '--widget', other.widgetId, '--since', '1h'], env);
    expect(human.stdout.split('\n')[0]).toMatch(/^AT\s+WIDGET\s+REASON\s+COUNT\s+CLAIMED USER ID\s+CONVERSATION$/);
    expect(human.stdout.trim().split('\n')).toHaveLength(4);
    // The widget by its name, the count, and the conversation to read.
    expect(human.stdout.split('\n')[1]).toMatch(new RegExp(`^\\S+\\s+test widget\\s+mismatch\\s+1\\s+user-2\\s+${rows[0].conversation_id}$`));
    const byReason = await cli(['failures', 'list', '--user', 'user-1', '--reason', 'malformed'], env);
    expect(byReason.stdout).toBe('no failed claims\n');
    const badReason = await cli(['failures', 'list', '--reason', 'typo'], env);
    expect(badReason.stderr).toContain('inviaro: the gateway answered 400 (invalid_request: reason: reason must be one of missing_hash');
    const byUser = await cli(['failures', 'list', '--user', 'user-1', '--json'], env);
    expect(
      byUser.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).claimed_user_id),
    ).toEqual(['user-1']);
    const limited = await cli(['failures', 'list', '--limit', '2', '--json'], env);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
    const sinceSecond = await cli(['failures', 'list', '--since', rows[1].at, '--json'], env);
    expect(
      sinceSecond.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).claimed_user_id),
    ).toEqual(['user-2', 'user-1']);
    const badSince = await cli(['failures', 'list', '--since', 'yesterday'], env);
    expect(badSince.stderr).toContain('--since: expected a duration such as 30s');
    const otherWidget = await cli(['failures', 'list', '--widget', '00000000-0000-4000-8000-000000000000'], env);
    expect(otherWidget.stderr).toBe('inviaro: the gateway answered 404 (widget_not_found: no widget with this id in your workspace)\n');

    const everything = outputs.join('\n');
    expect(everything).not.toContain(badHash);
    expect(everything).not.toContain(workspace.adminToken);
    expect(everything).not.toContain(other.adminToken);
  });

  test('widget check-claim: the verdict and a hint, never the hash or the token', async () => {
    const env = { INVIARO_ADMIN_TOKEN: other.adminToken, INVIARO_GATEWAY_URL: system.gatewayUrl };
    const hexKeyed = createHmac('sha256', Buffer.from(other.secret, 'hex')).update('usr_42').digest('hex');
    const failed = await cli(['widget', 'check-claim', other.widgetId, '--user-id', 'usr_42', '--hash', hexKeyed], env);
    expect(failed.stdout).toMatch(/^failed: mismatch\nhint: hex_decoded_key\nmade with the secret’s hex-decoded bytes/);
    const verified = await cli(['widget', 'check-claim', other.widgetId, '--user-id', 'usr_42', '--hash', userHash('usr_42', other.secret), '--json'], env);
    expect(JSON.parse(verified.stdout)).toEqual({
      widget_id: other.widgetId,
      verdict: 'verified',
      reason: null,
      hint: null,
      explanation: null,
      secret_version: 1,
    });
    const token = sign({ sub: 'usr_42', exp: Math.floor(Date.now() / 1000) + 600 }, 'x'.repeat(64), { algorithm: 'HS256' });
    const policy = await cli(['widget', 'check-claim', other.widgetId, '--jwt', token], env);
    expect(policy.stdout).toBe(
      'failed: policy_requires_user_hash\nhint: policy_requires_user_hash\nthe widget’s identity policy is user_hash: send user_id and user_hash\n',
    );
    const neither = await cli(['widget', 'check-claim', other.widgetId, '--user-id', 'usr_42'], env);
    expect(neither.stderr).toBe('inviaro: check-claim: pass --user-id with --hash, or --jwt\n');
    const everything = outputs.join('\n');
    expect(everything).not.toContain(hexKeyed);
    expect(everything).not.toContain(token);
  });
});
