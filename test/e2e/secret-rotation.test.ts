import { userHash } from '@inviaro/crypto';
import { VerifierProbe, verifiedAs, waitFor, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(180_000);

const ROTATIONS = 200;

describe('rotation takes effect when the rotate call returns', () => {
  const suite = widgetSuite();
  let probe: VerifierProbe;

  beforeAll(async () => {
    await suite.system.start('verifier'); // two verifier instances share the checks
    probe = await VerifierProbe.connect(suite.system.servers.natsUrl);
  });
  afterAll(() => probe?.close());

  const claimUnder = (secret: string, userId = 'usr_42') => ({ user_id: userId, user_hash: userHash(userId, secret) });

  it('verifies the revealed secret’s digests and tells a stale digest from a wrong one after rotation', async () => {
    expect(await probe.check(suite.widget.widgetId, claimUnder(suite.widget.secret))).toEqual(verifiedAs('usr_42', 1, 'user_hash'));
    const rotated = await suite.widget.admin.rotateSecret(suite.widget.widgetId);
    expect(await probe.check(suite.widget.widgetId, claimUnder(suite.widget.secret))).toEqual({ verified: false, reason: 'stale_secret' });
    expect(await probe.check(suite.widget.widgetId, claimUnder('f'.repeat(64)))).toEqual({ verified: false, reason: 'mismatch' });
    expect(await probe.check(suite.widget.widgetId, claimUnder(rotated.body.widget_secret))).toEqual(verifiedAs('usr_42', 2, 'user_hash'));
  });

  it(`never accepts an old digest once rotate has returned, with cache fills racing ${ROTATIONS} rotations`, async () => {
    let current = (await suite.widget.admin.rotateSecret(suite.widget.widgetId)).body.widget_secret;
    let racing = true;
    let fills = 0;
    // Keeps both verifiers reading (and, after each rotation, re-filling) the cache with whatever is current.
    const racers = Array.from({ length: 4 }, async (_, i) => {
      while (racing) {
        await probe.check(suite.widget.widgetId, claimUnder(current, `racer-${i}`));
        fills++;
      }
    });
    const acceptedAfterRotation: number[] = [];
    for (let rotation = 0; rotation < ROTATIONS; rotation++) {
      const old = current;
      const answer = await suite.widget.admin.rotateSecret(suite.widget.widgetId);
      expect(answer.status).toBe(200);
      current = answer.body.widget_secret;
      // Ask each verifier instance (the queue group spreads requests) right after the rotate answer.
      const verdicts = await Promise.all(Array.from({ length: 4 }, () => probe.check(suite.widget.widgetId, claimUnder(old))));
      if (verdicts.some((verdict) => verdict.verified)) acceptedAfterRotation.push(rotation);
    }
    racing = false;
    await Promise.all(racers);
    expect(fills).toBeGreaterThan(ROTATIONS);
    expect(acceptedAfterRotation).toEqual([]);
    expect(await probe.check(suite.widget.widgetId, claimUnder(current))).toEqual({
      verified: true,
      user_id: 'usr_42',
      secret_version: ROTATIONS + 3,
      verified_by: 'user_hash',
    });
  });

  it('keeps verifying from PostgreSQL while Redis is down, with a warning, and refuses to rotate until it is back', async () => {
    const redis = suite.system.servers.processes.redis!;
    const secret = (await suite.widget.admin.rotateSecret(suite.widget.widgetId)).body.widget_secret;
    await redis.kill('SIGKILL');
    try {
      expect(await probe.check(suite.widget.widgetId, claimUnder(secret))).toEqual({
        verified: true,
        user_id: 'usr_42',
        secret_version: ROTATIONS + 4,
        verified_by: 'user_hash',
      });
      await waitFor('the verifier’s warning', async () =>
        suite.system.processes.some((p) => p.name === 'verifier' && p.output().includes('Redis secret cache unavailable')) ? true : undefined,
      );
      const refused = await suite.widget.admin.rotateSecret(suite.widget.widgetId);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body).toEqual({ error: { code: 'rotation_unavailable', message: expect.any(String) } });
      // Nothing was rotated: the secret in use still verifies.
      expect(await probe.check(suite.widget.widgetId, claimUnder(secret))).toEqual({
        verified: true,
        user_id: 'usr_42',
        secret_version: ROTATIONS + 4,
        verified_by: 'user_hash',
      });
    } finally {
      await redis.start();
    }
    const rotated = await waitFor('a rotation once Redis is back', async () => {
      const answer = await suite.widget.admin.rotateSecret(suite.widget.widgetId);
      return answer.status === 200 ? answer.body.widget_secret : undefined;
    });
    expect(await probe.check(suite.widget.widgetId, claimUnder(secret))).toEqual({ verified: false, reason: 'stale_secret' });
    expect(await probe.check(suite.widget.widgetId, claimUnder(rotated))).toEqual({
      verified: true,
      user_id: 'usr_42',
      secret_version: ROTATIONS + 5,
      verified_by: 'user_hash',
    });
  });
});
