import { generateMasterKey, userHash } from '@inviaro/crypto';
import { createWidget, REPO_ROOT, RunningSystem, startSystem, VerifierProbe, verifiedAs } from '@inviaro/test-harness';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';

jest.setTimeout(120_000);

describe('master keys: refused when unusable, rotated by resealing while the system runs', () => {
  const oldRing = `k1:${generateMasterKey()}`;
  const newKey = `k2:${generateMasterKey()}`;
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ masterKeys: oldRing });
  });
  afterAll(() => system?.stop());

  it.each([
    ['missing', ''],
    ['too short', 'k1:c2hvcnQ='],
    ['not base64 pairs', 'just-some-text'],
  ])('a service with a %s master key refuses to start and says why', async (_, value) => {
    const start = system.start('verifier', { INVIARO_MASTER_KEYS: value });
    await expect(start).rejects.toThrow(/INVIARO_MASTER_KEYS is not a usable key ring.*"msg":"could not start"/s);
    await expect(system.start('gateway', { INVIARO_MASTER_KEYS: value })).rejects.toThrow(/INVIARO_MASTER_KEYS/);
  });

  it('a gateway or verifier with an unusable claim key ring refuses to start and names it (a claim key, not a master key)', async () => {
    await expect(system.start('verifier', { INVIARO_CLAIM_KEYS: 'c1:c2hvcnQ=' })).rejects.toThrow(
      /INVIARO_CLAIM_KEYS is not a usable key ring \(claim key c1 is 5 bytes, not 32\).*"msg":"could not start"/s,
    );
    await expect(system.start('gateway', { INVIARO_CLAIM_KEYS: '' })).rejects.toThrow(/INVIARO_CLAIM_KEYS is not a usable key ring/);
  });

  it('re-seals every secret under a new master key; services holding only the new key still verify', async () => {
    const widget = await createWidget(system);
    const cli = promisify(execFile)(process.execPath, [join(REPO_ROOT, 'bin', 'inviaro.js'), 'secrets', 'reseal'], {
      env: { ...process.env, DATABASE_URL: system.servers.databaseUrl, INVIARO_MASTER_KEYS: `${oldRing},${newKey}` },
    });
    expect((await cli).stdout).toMatch(/^resealed [1-9]\d* secret\(s\) under k2$/m);
    expect(await system.sql(`SELECT DISTINCT key_id FROM widget_secrets`)).toEqual([{ key_id: 'k2' }]);

    for (const verifier of system.processes.filter((p) => p.name === 'verifier')) await verifier.stop();
    const redis = new Redis(system.servers.redisUrl);
    await redis.flushall();
    redis.disconnect();
    await system.start('verifier', { INVIARO_MASTER_KEYS: newKey });
    const probe = await VerifierProbe.connect(system.servers.natsUrl);
    try {
      const claim = { user_id: 'usr_1', user_hash: userHash('usr_1', widget.secret) };
      expect(await probe.check(widget.widgetId, claim)).toEqual(verifiedAs('usr_1', 1, 'user_hash'));
    } finally {
      await probe.close();
    }
  });
});
