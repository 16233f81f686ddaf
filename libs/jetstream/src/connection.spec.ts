import { loadConfig, CommonConfig, ConfigError } from '@inviaro/config';
import { natsConnectionOptions, natsServers } from './connection';

describe('natsConnectionOptions', () => {
  it('connects as the user, with replies under its own inbox prefix, and without TLS unless asked', () => {
    expect(natsConnectionOptions({ NATS_URL: 'nats://a:4222, nats://b:4222', NATS_USER: 'gateway', NATS_PASSWORD: 'pw' })).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
      user: 'gateway',
      pass: 'pw',
      inboxPrefix: '_INBOX.gateway',
    });
    expect(natsConnectionOptions({ NATS_URL: 'nats://a:4222' })).toEqual({ servers: ['nats://a:4222'] });
  });

  it('requires TLS for a tls:// URL or any TLS file', () => {
    expect(natsConnectionOptions({ NATS_URL: 'tls://a:4222' }).tls).toEqual({});
    expect(natsConnectionOptions({ NATS_URL: 'nats://a:4222', NATS_TLS_CA_FILE: '/ca.pem' }).tls).toEqual({ caFile: '/ca.pem' });
  });
});

describe('NATS_URL with every node of a cluster', () => {
  it('splits a comma-separated list into the servers the client fails over between', () => {
    expect(natsServers('nats://a:4222, nats://b:4222 ,nats://c:4222')).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
    expect(natsServers('nats://127.0.0.1:4222')).toEqual(['nats://127.0.0.1:4222']);
  });

  it('is accepted by the configuration as one server or a list, and refused when an entry is not a nats:// address', () => {
    expect(loadConfig(CommonConfig, { NATS_URL: 'nats://a:4222,nats://b:4222' }).NATS_URL).toBe('nats://a:4222,nats://b:4222');
    expect(() => loadConfig(CommonConfig, { NATS_URL: 'nats://a:4222,b:4222' })).toThrow(ConfigError);
  });

  it('reads NATS_STREAM_REPLICAS as 1 to 5, 1 by default', () => {
    expect(loadConfig(CommonConfig, {}).NATS_STREAM_REPLICAS).toBe(1);
    expect(loadConfig(CommonConfig, { NATS_STREAM_REPLICAS: '3' }).NATS_STREAM_REPLICAS).toBe(3);
    expect(() => loadConfig(CommonConfig, { NATS_STREAM_REPLICAS: '0' })).toThrow(/NATS_STREAM_REPLICAS/);
  });
});
