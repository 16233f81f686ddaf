import { runMigrations, SERVICE_ROLES } from '@inviaro/persistence';
import { readCompose, REPO_ROOT, startServers } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';

// No Docker engine runs here: Debian's docker-compose 1.29 validates the file without one, and this checks what the file promises.

describe('docker/compose.yml', () => {
  const compose = readCompose();
  const { text } = compose;
  const example = readFileSync(join(REPO_ROOT, 'docker', '.env.example'), 'utf8');

  it('runs every part of the system', () => {
    const always = Object.entries(compose.services).filter(([, service]) => !service.profiles);
    expect(always.map(([name]) => name).sort()).toEqual(['contacts', 'gateway', 'migrate', 'nats-1', 'nats-2', 'nats-3', 'postgres', 'redis', 'verifier']);
  });

  it('passes docker-compose config (1.29, without its top-level name: that needs Compose v2)', () => {
    // 1.29 predates the top-level `name`; `-p inviaro` is what it means, so the rest of the file is checked as it is.
    const withoutName = text.replace(/^name: inviaro\n/m, '');
    expect(withoutName).not.toMatch(/^name:/m);
    // Every password compose requires, made up for this check (none is written here: test/ops/fixed-passwords.test.ts).
    const passwords = [
      'POSTGRES_PASSWORD',
      'POSTGRES_OWNER_PASSWORD',
      'POSTGRES_GATEWAY_PASSWORD',
      'POSTGRES_VERIFIER_PASSWORD',
      'POSTGRES_CONTACTS_PASSWORD',
      'REDIS_PASSWORD',
      'NATS_GATEWAY_PASSWORD',
      'NATS_VERIFIER_PASSWORD',
      'NATS_CONTACTS_PASSWORD',
      'NATS_OPERATOR_PASSWORD',
    ];
    const secrets = {
      ...Object.fromEntries(passwords.map((name) => [name, randomBytes(8).toString('hex')])),
      INVIARO_MASTER_KEYS: 'k1:key',
      INVIARO_CLAIM_KEYS: 'c1:key',
    };
    const run = () =>
      execFileSync('docker-compose', ['-p', 'inviaro', '--project-directory', join(REPO_ROOT, 'docker'), '-f', '-', 'config', '-q'], {
        input: withoutName,
        env: { PATH: process.env.PATH, ...secrets },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    expect(() => run()).not.toThrow();
  });

  it('runs NATS as a JetStream cluster of three on nats-node.conf, each node with its own volume, and every service connects with every node over TLS', () => {
    const nodes = ['nats-1', 'nats-2', 'nats-3'];
    const nodeConf = readFileSync(join(REPO_ROOT, 'docker', 'nats-node.conf'), 'utf8');
    expect(nodeConf).toMatch(/^include \.\/nats\.conf/m);
    expect(nodeConf).toContain('jetstream { store_dir: /data }');
    expect(nodeConf).toContain(`routes: [${nodes.map((node) => `nats-route://${node}:6222`).join(', ')}]`);
    for (const node of nodes) {
      const service = compose.service(node);
      expect(service.command).toEqual(['-c', '/etc/nats/nats-node.conf', '--server_name', node]);
      expect(service.volumes).toEqual([
        `${node}-data:/data`,
        './nats-node.conf:/etc/nats/nats-node.conf:ro',
        './nats.conf:/etc/nats/nats.conf:ro',
        './certs:/etc/nats/certs:ro',
      ]);
    }
    for (const name of ['gateway', 'verifier', 'contacts']) {
      const service = compose.service(name);
      expect(service.environment?.NATS_URL).toBe(nodes.map((node) => `tls://${node}:4222`).join(','));
      expect(service.environment?.NATS_TLS_CA_FILE).toBe('/etc/inviaro/nats-ca.pem');
      expect(service.volumes).toContain('./certs/ca.pem:/etc/inviaro/nats-ca.pem:ro');
      expect(service.environment?.NATS_STREAM_REPLICAS).toBe('3');
    }
  });

  it('gives each service a readiness health check and starts it after the migrations', () => {
    for (const name of ['gateway', 'verifier', 'contacts']) {
      const service = compose.service(name);
      expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
      expect(service.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(service.environment?.INVIARO_MASTER_KEYS).toMatch(/^\$\{INVIARO_MASTER_KEYS:\?/);
    }
    expect(compose.service('migrate').command).toEqual(['node', 'bin/inviaro.js', 'migrate']);
    // The claim keys only where a claim is sealed or opened.
    for (const name of ['gateway', 'verifier']) expect(compose.service(name).environment?.INVIARO_CLAIM_KEYS).toMatch(/^\$\{INVIARO_CLAIM_KEYS:\?/);
    expect(compose.service('contacts').environment?.INVIARO_CLAIM_KEYS).toBeUndefined();
  });

  it('checks the health of NATS, Redis and PostgreSQL, and starts the services once they are healthy', () => {
    for (const name of ['nats-1', 'nats-2', 'nats-3'])
      expect(compose.service(name).healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8222/healthz?js-enabled-only=true');
    expect(compose.service('redis').healthcheck?.test.join(' ')).toContain('redis-cli ping');
    // redis-cli reads the password from its environment, never from a command line that `ps` shows.
    expect(compose.service('redis').environment?.REDISCLI_AUTH).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    expect(compose.service('postgres').healthcheck?.test.join(' ')).toContain('pg_isready');
    for (const name of ['gateway', 'verifier', 'contacts']) {
      for (const server of ['nats-1', 'nats-2', 'nats-3', 'redis'])
        expect([name, server, compose.service(name).depends_on?.[server]]).toEqual([name, server, { condition: 'service_healthy' }]);
    }
  });

  it('pins every image it pulls by digest, the Dockerfile’s base images too', () => {
    const pulled = Object.entries(compose.services).filter(([, service]) => !service.build);
    expect(pulled.map(([name]) => name).sort()).toEqual(['grafana', 'nats-1', 'nats-2', 'nats-3', 'postgres', 'prometheus', 'redis']);
    for (const [name, service] of pulled) expect([name, service.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/)]);
    const dockerfile = readFileSync(join(REPO_ROOT, 'docker', 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((match) => match[1]);
    expect(bases).toHaveLength(2);
    for (const base of bases) expect(base).toMatch(/^node:[\w.-]+@sha256:[0-9a-f]{64}$/);
  });

  it('runs Inviaro’s containers as a non-root user on a read-only root filesystem, without capabilities', () => {
    for (const name of ['gateway', 'verifier', 'contacts', 'migrate']) {
      const service = compose.service(name);
      expect([name, service.user, service.read_only, service.tmpfs, service.cap_drop, service.security_opt]).toEqual([
        name,
        'node',
        true,
        ['/tmp'],
        ['ALL'],
        ['no-new-privileges:true'],
      ]);
    }
  });

  it('keeps health, metrics and the API description off the published port: the gateway serves them on OPS_PORT', () => {
    const gateway = compose.service('gateway');
    const { PORT, OPS_PORT } = gateway.environment ?? {};
    expect(OPS_PORT).toMatch(/^\d+$/);
    expect(OPS_PORT).not.toBe(PORT);
    expect(gateway.ports).toEqual([expect.stringMatching(new RegExp(`:${PORT}$`))]);
    expect(gateway.healthcheck?.test.join(' ')).toContain('process.env.OPS_PORT');
    const prometheus = parse(readFileSync(join(REPO_ROOT, 'docker', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs: Array<{ port: number }> }>;
    };
    expect(prometheus.scrape_configs.find((job) => job.job_name === 'gateway')?.dns_sd_configs[0]?.port).toBe(Number(OPS_PORT));
  });

  it('runs Redis with a password and nothing written to disk, and publishes only the gateway (Grafana on loopback)', () => {
    expect(compose.service('redis').command).toEqual([
      'redis-server',
      '--requirepass',
      expect.stringMatching(/REDIS_PASSWORD:\?/),
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    const published = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, service]) => service.ports?.length)
        .map(([name, service]) => [name, service.ports]),
    );
    expect(published).toEqual({ gateway: [expect.stringMatching(/:8080$/)], grafana: [expect.stringMatching(/^127\.0\.0\.1:.*:3000$/)] });
  });

  it('connects each service to PostgreSQL as its own role, the migrations as the owner, and none as the superuser', () => {
    const userOf = (name: string) => /^postgres:\/\/([^:]+):\$\{([A-Z_]+):\?/.exec(compose.service(name).environment?.DATABASE_URL ?? '')?.slice(1);
    expect(Object.fromEntries(['gateway', 'verifier', 'contacts', 'migrate'].map((name) => [name, userOf(name)]))).toEqual({
      gateway: [SERVICE_ROLES.gateway, 'POSTGRES_GATEWAY_PASSWORD'],
      verifier: [SERVICE_ROLES.verifier, 'POSTGRES_VERIFIER_PASSWORD'],
      contacts: [SERVICE_ROLES.contacts, 'POSTGRES_CONTACTS_PASSWORD'],
      migrate: ['inviaro', 'POSTGRES_OWNER_PASSWORD'],
    });
    const postgres = compose.service('postgres');
    // The image's superuser stays `postgres`: the owner it would otherwise make a superuser is made by the init script.
    expect(postgres.environment?.POSTGRES_USER).toBeUndefined();
    expect(postgres.volumes).toContain('./postgres-init:/docker-entrypoint-initdb.d:ro');
    expect(
      Object.values(compose.services)
        .flatMap((service) => Object.values(service.environment ?? {}))
        .filter((value) => /^postgres(ql)?:\/\/postgres:/.test(value)),
    ).toEqual([]);
  });

  it("the PostgreSQL init script makes roles the migrations accept, none a superuser, each service's held to its grants", async () => {
    const servers = await startServers();
    const superuser = new URL(servers.processes.postgres!.url);
    const passwords = {
      POSTGRES_OWNER_PASSWORD: 'owner-x1',
      POSTGRES_GATEWAY_PASSWORD: 'gateway-x2',
      POSTGRES_VERIFIER_PASSWORD: 'verifier-x3',
      POSTGRES_CONTACTS_PASSWORD: 'contacts-x4',
    };
    try {
      execFileSync('sh', [join(REPO_ROOT, 'docker', 'postgres-init', '10-inviaro-roles.sh')], {
        env: { PATH: process.env.PATH, PGHOST: superuser.hostname, PGPORT: superuser.port, PGPASSWORD: superuser.password, ...passwords },
        stdio: 'pipe',
      });
      const url = (user: string, password: string) => `postgres://${user}:${password}@${superuser.host}/inviaro`;
      expect(await runMigrations(url('inviaro', passwords.POSTGRES_OWNER_PASSWORD))).toContain('ServiceRoleGrants1765000001000');
      const gateway = new Client({ connectionString: url(SERVICE_ROLES.gateway, passwords.POSTGRES_GATEWAY_PASSWORD) });
      await gateway.connect();
      try {
        expect((await gateway.query('SELECT rolsuper FROM pg_roles WHERE rolname IN ($1, $2)', ['inviaro', SERVICE_ROLES.gateway])).rows).toEqual([
          { rolsuper: false },
          { rolsuper: false },
        ]);
        await expect(gateway.query('SELECT count(*) FROM widget_secrets')).resolves.toBeDefined();
        await expect(gateway.query('SELECT count(*) FROM messages')).rejects.toThrow('permission denied for table messages');
      } finally {
        await gateway.end();
      }
    } finally {
      await servers.stop();
    }
  }, 60_000);

  it('monitors on request: Prometheus scrapes every service, Grafana gets the dashboard', () => {
    expect(compose.service('prometheus').profiles).toEqual(['monitoring']);
    expect(compose.service('grafana').profiles).toEqual(['monitoring']);
    const prometheus = parse(readFileSync(join(REPO_ROOT, 'docker', 'prometheus.yml'), 'utf8')) as { scrape_configs: Array<{ job_name: string }> };
    expect(prometheus.scrape_configs.map((job) => job.job_name).sort()).toEqual(['contacts', 'gateway', 'verifier']);
    // No variable required by a profile's service: compose interpolates the whole file, so it would stop a plain `up`.
    for (const name of ['prometheus', 'grafana']) expect(JSON.stringify(compose.service(name))).not.toContain(':?');
  });

  it('documents every variable it reads in .env.example', () => {
    const used = new Set([...text.matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1]));
    const documented = new Set([...example.matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]));
    expect([...used].filter((name) => !documented.has(name))).toEqual([]);
  });
});
