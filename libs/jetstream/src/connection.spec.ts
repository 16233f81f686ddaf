import { loadConfig, CommonConfig, ConfigError } from '@inviaro/observability';
import { natsServers } from './connection';

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
