import { CommonConfig } from './common.config';
import { loadConfig } from './load-config';

describe('CommonConfig: the NATS user', () => {
  it('takes a user with its password, and neither', () => {
    expect(loadConfig(CommonConfig, { NATS_USER: 'gateway', NATS_PASSWORD: 'pw-1' })).toMatchObject({ NATS_USER: 'gateway', NATS_PASSWORD: 'pw-1' });
    expect(loadConfig(CommonConfig, {}).NATS_USER).toBeUndefined();
  });

  it('refuses one without the other, and a user name that cannot name an inbox, never printing the password', () => {
    expect(() => loadConfig(CommonConfig, { NATS_USER: 'gateway' })).toThrow(/NATS_PASSWORD is required with NATS_USER/);
    expect(() => loadConfig(CommonConfig, { NATS_PASSWORD: 'pw-secret' })).toThrow(/NATS_USER/);
    expect(() => loadConfig(CommonConfig, { NATS_PASSWORD: 'pw-secret' })).not.toThrow(/pw-secret/);
    expect(() => loadConfig(CommonConfig, { NATS_USER: 'a.b', NATS_PASSWORD: 'pw' })).toThrow(/NATS_USER must be a plain user name/);
  });

  it('takes tls:// URLs and a client certificate only with its key', () => {
    expect(loadConfig(CommonConfig, { NATS_URL: 'tls://nats:4222' }).NATS_URL).toBe('tls://nats:4222');
    expect(() => loadConfig(CommonConfig, { NATS_TLS_CERT_FILE: '/c.pem' })).toThrow(/NATS_TLS_KEY_FILE is required/);
  });
});
