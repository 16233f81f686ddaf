import { BUS_ROLES, environmentAuthorization, passwordVariable } from '@inviaro/bus';
import { readCompose, REPO_ROOT } from '@inviaro/test-harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('compose: NATS with a user of its own for every service', () => {
  const compose = readCompose();

  it('runs every nats-server node on docker/nats.conf (through nats-node.conf), which is the permission table as rendered now', () => {
    expect(readFileSync(join(REPO_ROOT, 'docker', 'nats.conf'), 'utf8')).toBe(environmentAuthorization());
    // Each node's own configuration (TLS, cluster) includes the generated users and permissions.
    expect(readFileSync(join(REPO_ROOT, 'docker', 'nats-node.conf'), 'utf8')).toMatch(/^include \.\/nats\.conf/m);
    for (const node of ['nats-1', 'nats-2', 'nats-3']) {
      const nats = compose.service(node);
      expect(nats.command).toEqual(expect.arrayContaining(['-c', '/etc/nats/nats-node.conf']));
      expect(nats.volumes).toContain('./nats.conf:/etc/nats/nats.conf:ro');
      for (const role of BUS_ROLES) expect(nats.environment?.[passwordVariable(role)]).toMatch(new RegExp(`^\\$\\{${passwordVariable(role)}:\\?`));
    }
  });

  it('connects each service as its own user with its own required password', () => {
    for (const service of ['gateway', 'verifier', 'contacts'] as const) {
      expect(compose.service(service).environment).toEqual(
        expect.objectContaining({ NATS_USER: service, NATS_PASSWORD: expect.stringMatching(new RegExp(`^\\$\\{${passwordVariable(service)}:\\?`)) }),
      );
    }
  });
});
