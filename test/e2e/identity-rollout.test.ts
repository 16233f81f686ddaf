import { userHash } from '@inviaro/crypto';
import { createWidget, TestWidget, waitFor, WidgetClient, widgetSuite } from '@inviaro/test-harness';
import { sign } from 'jsonwebtoken';

jest.setTimeout(120_000);

// The rollout of identity verification (docs/identity-required.md): the health report tells how much traffic
// verifies, then enforce mode refuses what does not. One system for both.
const suite = widgetSuite();

const hashClaim = (widget: TestWidget, userId: string, secret = widget.secret) => ({ user_id: userId, user_hash: userHash(userId, secret) });

describe('the verification health report (GET /v1/admin/widgets/{id}/verification)', () => {
  it('counts verified claims by kind and secret version, events without a claim, and failures by reason, per hour', async () => {
    const { widget, client } = suite;
    expect((await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, { identity_policy: 'either' })).status).toBe(200);
    const visitor = await client.newVisitor();
    const before = Date.now();
    const send = async (id: string, claim: Record<string, unknown>) =>
      expect((await client.postMessage(visitor, { client_message_id: id, text: id, ...claim })).status).toBe(202);
    await send('hash-1', hashClaim(widget, 'usr_1'));
    await send('hash-2', hashClaim(widget, 'usr_2'));
    await send('jwt-1', { user_jwt: sign({ sub: 'usr_3' }, widget.secret, { algorithm: 'HS256', expiresIn: 600 }) });
    await send('none-1', {});
    await send('mismatch-1', hashClaim(widget, 'usr_4', 'b'.repeat(64)));
    await send('mismatch-2', hashClaim(widget, 'usr_5', 'b'.repeat(64)));
    await send('missing-1', { user_id: 'usr_6' });
    const staged = await widget.admin.stageSecret(widget.widgetId);
    await send('hash-v2', hashClaim(widget, 'usr_7', staged.body.widget_secret));

    const expected = {
      verified: {
        total: 4,
        user_hash: 3,
        user_jwt: 1,
        by_secret_version: [
          { secret_version: 2, count: 1 },
          { secret_version: 1, count: 3 },
        ],
      },
      anonymous: 1,
      failed: {
        total: 3,
        by_reason: [
          { reason: 'mismatch', count: 2 },
          { reason: 'missing_hash', count: 1 },
        ],
      },
    };
    const report = await waitFor('every event counted', async () => {
      const answer = await widget.admin.call<{ totals: unknown; hours: Array<{ hour: string }>; last_verified_at: string | null; since: string }>(
        'GET',
        `widgets/${widget.widgetId}/verification?since=24h`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.totals).toEqual(expected);
      return answer.body;
    });
    expect(report).toMatchObject({ widget_id: widget.widgetId, hours: [{ ...expected, hour: expect.any(String) }] });
    expect(Date.parse(report.since)).toBeLessThanOrEqual(before - 24 * 3600_000);
    expect(Date.parse(report.hours[0]!.hour)).toBeLessThanOrEqual(before);
    expect(Date.parse(report.last_verified_at!)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers a widget without events with zeros, refuses a since it cannot read (400) and another workspace’s widget (404)', async () => {
    const other = await createWidget(suite.system);
    expect((await other.admin.call('GET', `widgets/${other.widgetId}/verification?since=7d`)).body).toMatchObject({
      totals: { verified: { total: 0, user_hash: 0, user_jwt: 0, by_secret_version: [] }, anonymous: 0, failed: { total: 0, by_reason: [] } },
      hours: [],
      last_verified_at: null,
    });
    expect(await other.admin.call('GET', `widgets/${other.widgetId}/verification?since=yesterday`)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringMatching(/^since: /) } },
    });
    expect((await other.admin.call('GET', `widgets/${suite.widget.widgetId}/verification`)).status).toBe(404);
  });
});

describe('enforce mode (identity_required)', () => {
  it('refuses a message or identify without a claim that verifies with 401 identity_required, makes no contact, and lifts at once', async () => {
    const widget = await createWidget(suite.system);
    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const visitor = await client.newVisitor();
    const patched = await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, {
      identity_required: true,
      sign_in_prompt: 'Sign in to your Acme account to chat.',
    });
    expect(patched).toMatchObject({
      status: 200,
      body: { id: widget.widgetId, identity_policy: 'user_hash', identity_required: true, sign_in_prompt: 'Sign in to your Acme account to chat.' },
    });

    const refused = { status: 401, body: { error: { code: 'identity_required', message: expect.any(String) } } };
    expect(await client.postMessage(visitor, { client_message_id: 'no-claim', text: 'hello' })).toMatchObject(refused);
    expect(await client.postMessage(visitor, { client_message_id: 'bad-claim', text: 'hello', ...hashClaim(widget, 'usr_1', 'b'.repeat(64)) })).toMatchObject(
      refused,
    );
    expect(await client.call('identify', { visitor_token: visitor, ...hashClaim(widget, 'usr_1', 'b'.repeat(64)) })).toMatchObject(refused);
    expect(await client.call('history', { visitor_token: visitor })).toMatchObject({
      status: 200,
      body: { contact: { is_verified: false }, messages: [], identity_required: true, sign_in_prompt: 'Sign in to your Acme account to chat.' },
    });

    const accepted = await client.postMessage(visitor, { client_message_id: 'good-claim', text: 'signed in', ...hashClaim(widget, 'usr_1') });
    expect(accepted.status).toBe(202);
    await waitFor('the verified message stored', async () =>
      (await suite.system.sql(`SELECT 1 FROM messages WHERE id = $1`, [accepted.body.message_id])).length ? true : undefined,
    );
    // Stored after the refused calls: none of them made an anonymous contact for this visitor.
    expect(await suite.system.sql(`SELECT id FROM contacts WHERE visitor_id = $1`, [await visitorIdOf(accepted.body.message_id)])).toEqual([]);

    const lifted = await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, { identity_required: false });
    expect(lifted.body).toMatchObject({ identity_required: false, sign_in_prompt: 'Sign in to your Acme account to chat.' });
    expect((await client.postMessage(visitor, { client_message_id: 'after', text: 'anonymous again' })).status).toBe(202);
  });

  it('refuses a PATCH that names nothing it changes, or a prompt of the wrong type, with 400 naming the field', async () => {
    const { widget } = suite;
    expect(await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, {})).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, { identity_required: 'yes' })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^identity_required: /) } },
    });
    expect(await widget.admin.call('PATCH', `widgets/${widget.widgetId}`, { sign_in_prompt: '' })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringMatching(/^sign_in_prompt: /) } },
    });
  });
});

async function visitorIdOf(messageId: string): Promise<string> {
  const [row] = await suite.system.sql<{ visitor_id: string }>(
    `SELECT c.visitor_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1`,
    [messageId],
  );
  return row!.visitor_id;
}
