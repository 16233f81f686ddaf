import { generateMasterKey } from '@inviaro/crypto';
import { randomBytes } from 'node:crypto';
import { loadConfig } from './load-config';
import { SecretsConfig } from './secrets.config';

describe('SecretsConfig', () => {
  const usable = {
    REDIS_URL: `redis://:${randomBytes(8).toString('hex')}@127.0.0.1:6379`,
    INVIARO_MASTER_KEYS: `m1:${generateMasterKey()}`,
    INVIARO_CLAIM_KEYS: `c1:${generateMasterKey()}`,
  };

  it('takes a password-protected Redis and two usable key rings, with a 300 s cache lifetime by default', () => {
    expect(loadConfig(SecretsConfig, usable).SECRET_CACHE_TTL_SECONDS).toBe(300);
  });

  it('refuses a Redis without a password, and names the ring whose key is unusable', () => {
    expect(() => loadConfig(SecretsConfig, { ...usable, REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/a password is required/);
    expect(() => loadConfig(SecretsConfig, { ...usable, INVIARO_CLAIM_KEYS: 'c1:short' })).toThrow(/INVIARO_CLAIM_KEYS is not a usable key ring \(.*claim key/);
    expect(() => loadConfig(SecretsConfig, { ...usable, INVIARO_MASTER_KEYS: 'm1:short' })).toThrow(
      /INVIARO_MASTER_KEYS is not a usable key ring \(.*master key/,
    );
  });
});
