import { natsConnectionOptions } from './connection';

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
