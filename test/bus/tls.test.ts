import { connectBus, EVENT_STREAM } from '@inviaro/bus';
import { natsConnectionOptions } from '@inviaro/jetstream';
import { createLogger } from '@inviaro/observability';
import { CommonConfig } from '@inviaro/config';
import { natsEnv, natsServer, ServerHandle } from '@inviaro/test-harness';
import { connect } from 'nats';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(120_000);

describe('NATS over TLS (a self-signed certificate made for this run)', () => {
  let dir: string;
  let certFile: string;
  let server: ServerHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inviaro-tls-'));
    certFile = join(dir, 'server.pem');
    const keyFile = join(dir, 'server.key');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'pipe' },
    );
    // nats.js 2.29 checks a server reached by IP address against the name "localhost" (docs/operations.md#nats-users-and-tls).
    server = await natsServer(join(dir, 'nats'), { tls: { certFile, keyFile } });
  });

  afterAll(async () => {
    await server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects a service that trusts the certificate (NATS_TLS_CA_FILE), over tls://, with its own user', async () => {
    expect(server.url).toMatch(/^tls:\/\//);
    const nc = await connectBus(
      { ...new CommonConfig(), ...natsEnv(server.url, 'verifier'), NATS_TLS_CA_FILE: certFile },
      'tls-test',
      createLogger('tls-test', 'silent'),
    );
    try {
      expect(nc.info?.tls_required).toBe(true);
      expect((await (await nc.jetstreamManager()).streams.info(EVENT_STREAM)).config.name).toBe(EVENT_STREAM);
    } finally {
      await nc.close();
    }
  });

  it('refuses a client that does not trust the certificate, and one that will not speak TLS', async () => {
    const untrusting = natsConnectionOptions(natsEnv(server.url, 'verifier'));
    await expect(connect({ ...untrusting, reconnect: false })).rejects.toThrow(/self[- ]signed certificate/);
    const plain = natsConnectionOptions({ ...natsEnv(server.url, 'verifier'), NATS_URL: server.url.replace('tls://', 'nats://') });
    await expect(connect({ ...plain, tls: null, reconnect: false })).rejects.toThrow();
  });
});
