import { BUS_ROLES, passwordVariable } from '@inviaro/bus';
import { natsConnectionOptions } from '@inviaro/jetstream';
import { freePort, launch, ManagedProcess, nth, REPO_ROOT, waitFor } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';

jest.setTimeout(60_000);

// Compose's NATS nodes as shipped (docker/nats-node.conf with the generated nats.conf), on certificates made
// by docker/make-certs.sh: the paths a container sees are rewritten to a temporary folder, the ports to free ones.
describe('compose: NATS over TLS with the shipped node configuration and certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inviaro-compose-nats-'));
  const certs = join(dir, 'certs');
  const passwords = Object.fromEntries(BUS_ROLES.map((role) => [passwordVariable(role), `${role}Password1`]));
  const nodes: Array<{ process: ManagedProcess; clientPort: number; monitorPort: number }> = [];

  beforeAll(async () => {
    execFileSync('bash', [join(REPO_ROOT, 'docker', 'make-certs.sh')], { env: { ...process.env, CERTS_DIR: certs }, stdio: 'pipe' });
    writeFileSync(join(dir, 'nats.conf'), readFileSync(join(REPO_ROOT, 'docker', 'nats.conf')));
    const nodeConf = readFileSync(join(REPO_ROOT, 'docker', 'nats-node.conf'), 'utf8').replaceAll('/etc/nats/certs', certs);
    const clusterPorts = [await freePort(), await freePort()];
    for (const [index, clusterPort] of clusterPorts.entries()) {
      const data = join(dir, `data-${index}`);
      mkdirSync(data);
      const conf = join(dir, `node-${index}.conf`);
      writeFileSync(conf, nodeConf.replace('store_dir: /data', `store_dir: ${JSON.stringify(data)}`));
      const [clientPort, monitorPort] = [await freePort(), await freePort()];
      // Each node routes to the other over 127.0.0.1 (a name the certificate holds), as nats-1..3 do in compose.
      const routes = clusterPorts.map((port) => `nats-route://127.0.0.1:${port}`).join(',');
      const args = [
        '-c',
        conf,
        '--server_name',
        `node-${index}`,
        '-a',
        '127.0.0.1',
        '-p',
        String(clientPort),
        '-m',
        String(monitorPort),
        '--cluster',
        `nats://127.0.0.1:${clusterPort}`,
        '--routes',
        routes,
      ];
      const started = await launch(`nats-${index}`, 'nats-server', args, { env: { ...process.env, ...passwords }, readyWhen: /Server is ready/ });
      nodes.push({ process: started, clientPort, monitorPort });
    }
  });

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.process.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = (clientPort: number) => ({
    NATS_URL: `tls://localhost:${clientPort}`,
    NATS_USER: 'gateway',
    NATS_PASSWORD: passwords[passwordVariable('gateway')],
    NATS_TLS_CA_FILE: join(certs, 'ca.pem'),
  });

  it('lets a service in over TLS with the CA it is given, as its own user', async () => {
    const nc = await connect(natsConnectionOptions(settings(nth(nodes, 0).clientPort)));
    await nc.flush();
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it('refuses a client that does not speak TLS, and one that does not trust the CA', async () => {
    const { NATS_USER, NATS_PASSWORD } = settings(nth(nodes, 0).clientPort);
    await expect(connect({ servers: `nats://127.0.0.1:${nth(nodes, 0).clientPort}`, user: NATS_USER, pass: NATS_PASSWORD, tls: null })).rejects.toThrow();
    await expect(connect({ servers: `tls://localhost:${nth(nodes, 0).clientPort}`, user: NATS_USER, pass: NATS_PASSWORD, tls: {} })).rejects.toThrow();
  });

  it('routes the nodes to each other over TLS, each checking the other’s certificate', async () => {
    const monitor = async <T>(node: number, path: string) => (await (await fetch(`http://127.0.0.1:${nth(nodes, node).monitorPort}/${path}`)).json()) as T;
    const other = await monitor<{ server_id: string }>(1, 'varz');
    // A route comes up only once both ends accepted each other's certificate (verify: true).
    await waitFor('a route between the nodes', async () => {
      const routez = await monitor<{ routes?: Array<{ remote_id: string }> }>(0, 'routez');
      return routez.routes?.some((route) => route.remote_id === other.server_id) || undefined;
    });
    const varz = await monitor<{ cluster?: { tls_required?: boolean; tls_verify?: boolean } }>(0, 'varz');
    expect(varz.cluster).toEqual(expect.objectContaining({ tls_required: true, tls_verify: true }));
  });
});
