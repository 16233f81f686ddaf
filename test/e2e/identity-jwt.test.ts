import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM } from '@inviaro/bus';
import { SecretCache } from '@inviaro/widget-secrets';
import { createWidget, readEvents, TestWidget, VerifierProbe, verifiedAs, waitFor, WidgetClient, WidgetStream, widgetSuite } from '@inviaro/test-harness';
import Redis from 'ioredis';
import { sign, SignOptions } from 'jsonwebtoken';

// The identity policies and the staged rotation (docs/identity-jwt.md), on the real system.
jest.setTimeout(180_000);

const pair = (userId: string, secret: string) => ({ user_id: userId, user_hash: userHash(userId, secret) });
/** A token as jsonwebtoken signs it: ten minutes' lifetime unless the claims name their exp. */
const jwtOf = (userId: string, secret: string, claims: object = {}, options: SignOptions = {}) => ({
  user_jwt: sign({ sub: userId, ...claims }, secret, { algorithm: 'HS256', ...('exp' in claims ? {} : { expiresIn: 600 }), ...options }),
});

describe('identity policies and staged rotation', () => {
  const suite = widgetSuite();
  let probe: VerifierProbe;
  beforeAll(async () => {
    probe = await VerifierProbe.connect(suite.system.servers.natsUrl);
  });
  afterAll(() => probe?.close());

  const withPolicy = async (policy: string): Promise<TestWidget> => {
    const widget = await createWidget(suite.system);
    const answer = await widget.admin.setIdentityPolicy(widget.widgetId, policy);
    expect(answer).toMatchObject({ status: 200, body: { id: widget.widgetId, identity_policy: policy } });
    return widget;
  };
  const failureReasons = async (widget: TestWidget, count: number) =>
    waitFor(`${count} failure records`, async () => {
      const { failures } = (await widget.admin.failures(`?widget_id=${widget.widgetId}`)).body;
      return failures.length === count ? failures.map((failure) => failure.reason).sort() : undefined;
    });

  it('user_hash, the default: a pair verifies, a token alone is a failed claim, a claim with both is judged by its pair', async () => {
    const widget = await createWidget(suite.system);
    expect((await widget.admin.call<{ widgets: Array<{ identity_policy: string }> }>('GET', 'widgets')).body.widgets).toEqual([
      expect.objectContaining({ identity_policy: 'user_hash' }),
    ]);
    expect(await probe.check(widget.widgetId, pair('usr_1', widget.secret))).toEqual(verifiedAs('usr_1', 1, 'user_hash'));
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret))).toEqual({ verified: false, reason: 'policy_requires_user_hash' });
    expect(await probe.check(widget.widgetId, { ...pair('usr_1', widget.secret), ...jwtOf('usr_2', widget.secret) })).toEqual(
      verifiedAs('usr_1', 1, 'user_hash'),
    );
  });

  it('jwt: in force when the PATCH answers; a bare user_hash fails, and a token’s signed email and name replace the page’s', async () => {
    const widget = await createWidget(suite.system);
    // Cached by the verifier under the old policy: the change must reach it anyway.
    expect(await probe.check(widget.widgetId, pair('usr_1', widget.secret))).toMatchObject({ verified: true });
    expect((await widget.admin.setIdentityPolicy(widget.widgetId, 'jwt')).status).toBe(200);
    expect(await probe.check(widget.widgetId, pair('usr_1', widget.secret))).toEqual({ verified: false, reason: 'policy_requires_jwt' });
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret))).toEqual(verifiedAs('usr_1', 1, 'user_jwt'));

    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const visitor = await client.newVisitor();
    const signed = await client.postMessage(visitor, {
      client_message_id: 'signed',
      text: 'hello',
      ...jwtOf('usr_jwt', widget.secret, { email: 'signed@example.com', name: 'Signed Name', aud: widget.key }),
      email: 'page@example.com',
      name: 'Page Name',
    });
    const onlyName = await client.postMessage(visitor, {
      client_message_id: 'only-name',
      text: 'hi',
      ...jwtOf('usr_jwt', widget.secret, { name: 'Signed Name' }),
      email: 'page@example.com',
    });
    const bare = await client.postMessage(visitor, { client_message_id: 'bare', text: 'bare hash', ...pair('usr_jwt', widget.secret) });
    expect([signed.status, onlyName.status, bare.status]).toEqual([202, 202, 202]);

    const verified = await waitFor('both contact.verified events', async () => {
      const events = await readEvents<Record<string, unknown>>(suite.system.servers.natsUrl, EVENT_STREAM, 'contact.verified');
      const mine = events.filter((event) => [signed.body.message_id, onlyName.body.message_id].includes(event.data.message_id as string));
      return mine.length === 2 ? mine : undefined;
    });
    const byMessage = Object.fromEntries(verified.map((event) => [event.data.message_id, event.data]));
    expect(byMessage[signed.body.message_id]).toMatchObject({
      user_id: 'usr_jwt',
      email: 'signed@example.com',
      name: 'Signed Name',
      signed_attributes: ['email', 'name'],
    });
    // What the token did not sign stays what the page said, and is not named as signed.
    expect(byMessage[onlyName.body.message_id]).toMatchObject({
      user_id: 'usr_jwt',
      email: 'page@example.com',
      name: 'Signed Name',
      signed_attributes: ['name'],
    });
    expect(await failureReasons(widget, 1)).toEqual(['policy_requires_jwt']);

    const refused = await widget.admin.setIdentityPolicy(widget.widgetId, 'hmac');
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', message: expect.stringContaining('identity_policy') } } });
  });

  it('either: a pair or a token verifies; a token with a defect is a failed claim of its own reason, silent to the visitor', async () => {
    const widget = await withPolicy('either');
    expect(await probe.check(widget.widgetId, pair('usr_1', widget.secret))).toMatchObject({ verified: true, user_id: 'usr_1', verified_by: 'user_hash' });
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret))).toMatchObject({ verified: true, user_id: 'usr_1', verified_by: 'user_jwt' });
    const now = Math.floor(Date.now() / 1000);
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret, { iat: now - 3600, exp: now - 600 }))).toEqual({
      verified: false,
      reason: 'jwt_expired',
    });
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret, { aud: 'wt_another' }))).toEqual({ verified: false, reason: 'jwt_audience' });
    expect(await probe.check(widget.widgetId, jwtOf('usr_1', widget.secret, {}, { expiresIn: '2d' }))).toEqual({ verified: false, reason: 'jwt_lifetime' });

    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const visitor = await client.newVisitor();
    const forged = await client.postMessage(visitor, { client_message_id: 'forged', text: 'forged', ...jwtOf('usr_admin', 'f'.repeat(64)) });
    const garbage = await client.postMessage(visitor, { client_message_id: 'garbage', text: 'garbage', user_jwt: { alg: 'none' } });
    expect([forged.status, garbage.status]).toEqual([202, 202]);
    expect(forged.body).toEqual({ message_id: expect.any(String) });
    expect(await failureReasons(widget, 2)).toEqual(['jwt_malformed', 'jwt_signature']);
    const history = await client.call<{ contact: { is_verified: boolean }; messages: unknown[] }>('history', {
      visitor_token: visitor,
      ...jwtOf('usr_admin', 'f'.repeat(64)),
    });
    expect(history.body.contact).toEqual({ is_verified: false });
  });

  it('staged rotation: both secrets verify until retire, the admin sees the previous one’s claims, retire ends it at once with its streams', async () => {
    const widget = await withPolicy('either');
    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const old = widget.secret;
    expect((await widget.admin.retireSecret(widget.widgetId)).body).toEqual({ error: { code: 'nothing_to_retire', message: expect.any(String) } });
    const oldStream = await WidgetStream.open(suite.system.gatewayUrl, widget, { visitor_token: await client.newVisitor(), ...pair('usr_old', old) });
    const streams = [oldStream];
    try {
      expect(oldStream.events[0]).toEqual({ event: 'ready', data: { is_verified: true } });

      const staged = await widget.admin.stageSecret(widget.widgetId);
      expect(staged).toMatchObject({ status: 200, body: { widget_secret: expect.stringMatching(/^[0-9a-f]{64}$/), secret_version: 2 } });
      const next = staged.body.widget_secret;
      expect(await widget.admin.stageSecret(widget.widgetId)).toMatchObject({ status: 409, body: { error: { code: 'rotation_staged' } } });
      // Staged is not revealed again.
      expect((await widget.admin.revealSecret(widget.widgetId)).status).toBe(410);

      expect(await probe.check(widget.widgetId, pair('usr_old', old))).toEqual(verifiedAs('usr_old', 1, 'user_hash'));
      expect(await probe.check(widget.widgetId, jwtOf('usr_old', old, {}, { keyid: 'v1' }))).toEqual(verifiedAs('usr_old', 1, 'user_jwt'));
      expect(await probe.check(widget.widgetId, pair('usr_new', next))).toEqual(verifiedAs('usr_new', 2, 'user_hash'));
      expect(await probe.check(widget.widgetId, jwtOf('usr_new', next, {}, { keyid: 'v2' }))).toEqual(verifiedAs('usr_new', 2, 'user_jwt'));
      expect(await probe.check(widget.widgetId, jwtOf('usr_new', next))).toEqual(verifiedAs('usr_new', 2, 'user_jwt'));
      expect(await probe.check(widget.widgetId, jwtOf('usr_new', old, {}, { keyid: 'v2' }))).toEqual({ verified: false, reason: 'jwt_signature' });

      // The two probes above used the previous secret once it was the previous one (the stream's check came before the stage).
      expect((await widget.admin.secretStatus(widget.widgetId)).body).toEqual({
        secret_version: 2,
        previous_secret: { secret_version: 1, claims_last_hour: 2 },
      });
      const newStream = await WidgetStream.open(suite.system.gatewayUrl, widget, { visitor_token: await client.newVisitor(), ...pair('usr_new', next) });
      streams.push(newStream);
      const retired = await widget.admin.retireSecret(widget.widgetId);
      expect(retired).toMatchObject({ status: 200, body: { secret_version: 2 } });
      // In force when retire answers.
      expect(await probe.check(widget.widgetId, pair('usr_old', old))).toEqual({ verified: false, reason: 'stale_secret' });
      expect(await probe.check(widget.widgetId, jwtOf('usr_old', old, {}, { keyid: 'v1' }))).toEqual({ verified: false, reason: 'stale_secret' });
      expect(await probe.check(widget.widgetId, jwtOf('usr_old', old))).toEqual({ verified: false, reason: 'stale_secret' });
      expect(await probe.check(widget.widgetId, pair('usr_new', next))).toEqual(verifiedAs('usr_new', 2, 'user_hash'));
      await waitFor('the old secret’s stream to end', async () => (oldStream.isClosed ? true : undefined), 20_000);

      // The new secret's stream stays open and goes on delivering.
      expect(
        (await client.postMessage(await client.newVisitor(), { client_message_id: 'after-retire', text: 'after retire', ...pair('usr_new', next) })).status,
      ).toBe(202);
      await waitFor(
        'the message on the new secret’s stream',
        async () => (newStream.messages().some((m) => m.text === 'after retire') ? true : undefined),
        30_000,
      );
      expect(newStream.isClosed).toBe(false);
      expect((await widget.admin.secretStatus(widget.widgetId)).body).toEqual({ secret_version: 2 });
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  /** Opens a verified stream and proves it delivers: a message of its user, sent from another visitor, reaches it. */
  const deliveringStream = async (widget: TestWidget, claim: Record<string, unknown>, text: string): Promise<WidgetStream> => {
    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const stream = await WidgetStream.open(suite.system.gatewayUrl, widget, { visitor_token: await client.newVisitor(), ...claim });
    expect(stream.events[0]).toEqual({ event: 'ready', data: { is_verified: true } });
    expect((await client.postMessage(await client.newVisitor(), { client_message_id: text, text, ...claim })).status).toBe(202);
    await waitFor(`“${text}” on its stream`, async () => (stream.messages().some((m) => m.text === text) ? true : undefined), 30_000);
    return stream;
  };

  it('ends a stream verified by a user_jwt once the token expires, and the token verifies nothing after', async () => {
    const widget = await withPolicy('jwt');
    const now = Math.floor(Date.now() / 1000);
    // Past its exp by 40 s, within the 60 s of clock skew allowed: it verifies for 20 s more.
    const expiring = jwtOf('usr_expiring', widget.secret, { iat: now - 120, exp: now - 40 });
    expect(await probe.check(widget.widgetId, expiring)).toEqual({
      verified: true,
      user_id: 'usr_expiring',
      secret_version: 1,
      verified_by: 'user_jwt',
      verified_until: new Date((now + 20) * 1000).toISOString(),
    });
    const stream = await deliveringStream(widget, expiring, 'before expiry');
    try {
      await waitFor('the stream to end after the token expired', async () => (stream.isClosed ? true : undefined), 45_000);
      expect(Date.now()).toBeGreaterThanOrEqual((now + 20) * 1000);
      expect(await probe.check(widget.widgetId, expiring)).toEqual({ verified: false, reason: 'jwt_expired' });
    } finally {
      stream.close();
    }
  });

  it('a policy change ends the verified streams whose claim the new policy refuses, and only those', async () => {
    const widget = await withPolicy('either');
    const byHash = await deliveringStream(widget, pair('usr_pair', widget.secret), 'by hash');
    const byToken = await deliveringStream(widget, jwtOf('usr_token', widget.secret), 'by token');
    try {
      expect((await widget.admin.setIdentityPolicy(widget.widgetId, 'jwt')).status).toBe(200);
      await waitFor('the user_hash stream to end', async () => (byHash.isClosed ? true : undefined), 20_000);
      // The token's stream still verifies under jwt, and goes on delivering.
      const client = new WidgetClient(suite.system.gatewayUrl, widget);
      expect(
        (await client.postMessage(await client.newVisitor(), { client_message_id: 'under jwt', text: 'under jwt', ...jwtOf('usr_token', widget.secret) }))
          .status,
      ).toBe(202);
      await waitFor('the message on the token’s stream', async () => (byToken.messages().some((m) => m.text === 'under jwt') ? true : undefined), 30_000);
      expect(byToken.isClosed).toBe(false);

      expect((await widget.admin.setIdentityPolicy(widget.widgetId, 'user_hash')).status).toBe(200);
      await waitFor('the user_jwt stream to end', async () => (byToken.isClosed ? true : undefined), 20_000);
    } finally {
      byHash.close();
      byToken.close();
    }
  });

  it('ends a stream whose claim verified under the old secret between a rotation’s Redis marker and its commit', async () => {
    const widget = await createWidget(suite.system);
    // What a rotation writes to Redis before its PostgreSQL commit: the database still holds version 1.
    const redis = new Redis(suite.system.servers.redisUrl);
    try {
      await new SecretCache(redis, 60).invalidate(widget.widgetId, { liveFrom: 2, generation: 1 });
    } finally {
      redis.disconnect();
    }
    const stream = await WidgetStream.open(suite.system.gatewayUrl, widget, {
      visitor_token: await new WidgetClient(suite.system.gatewayUrl, widget).newVisitor(),
      ...pair('usr_racing', widget.secret),
    });
    try {
      expect(stream.events[0]).toEqual({ event: 'ready', data: { is_verified: true } });
      await waitFor('the stream to end', async () => (stream.isClosed ? true : undefined), 20_000);
    } finally {
      stream.close();
    }
  });
});
