import { OWNER_ROLE, runMigrations, SERVICE_ROLES, TABLE_GRANTS } from '@inviaro/persistence';
import { ServerSet, startServers } from '@inviaro/test-harness';
import { Client, DatabaseError } from 'pg';

// Each service logs in as a role of its own that holds only its grants; the owner runs the migrations
// and is no superuser (docs/security.md#database-and-cache-credentials). Every other system suite runs
// the services on these roles: that they pass proves the grants are enough; this one proves they are no more.
jest.setTimeout(120_000);

const PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;

describe('database roles', () => {
  let servers: ServerSet;
  const clients: Client[] = [];
  const as = async (url: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const service = (name: keyof typeof SERVICE_ROLES) => as(servers.serviceDatabaseUrls[name]);
  /** The statement fails with PostgreSQL's insufficient_privilege, and nothing else. */
  const refused = async (client: Client, sql: string) => {
    const error = await client.query(sql).then(
      () => new Error(`not refused: ${sql}`),
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect({ sql, code: (error as DatabaseError).code }).toEqual({ sql, code: '42501' });
  };

  beforeAll(async () => {
    servers = await startServers();
    await runMigrations(servers.databaseUrl);
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.end()));
    await servers?.stop();
  });

  test('each service logs in as its own role, and none of them (nor the owner) is a superuser or may create roles or databases', async () => {
    const owner = await as(servers.databaseUrl);
    const roles = await owner.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean; rolbypassrls: boolean }>(
      'SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
      [[OWNER_ROLE, ...Object.values(SERVICE_ROLES)]],
    );
    expect(roles.rows).toEqual(
      [OWNER_ROLE, ...Object.values(SERVICE_ROLES)]
        .sort()
        .map((rolname) => ({ rolname, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false })),
    );
    for (const [name, role] of Object.entries(SERVICE_ROLES)) {
      const client = await service(name as keyof typeof SERVICE_ROLES);
      expect((await client.query<{ user: string }>('SELECT current_user AS user')).rows).toEqual([{ user: role }]);
    }
    expect((await owner.query('SELECT tableowner FROM pg_tables WHERE schemaname = $1 GROUP BY tableowner', ['public'])).rows).toEqual([
      { tableowner: OWNER_ROLE },
    ]);
  });

  test("a service cannot read another service's tables", async () => {
    const gateway = await service('gateway');
    const verifier = await service('verifier');
    const contacts = await service('contacts');
    for (const table of ['contacts', 'messages', 'conversations', 'visitor_events']) await refused(gateway, `SELECT * FROM ${table} LIMIT 1`);
    for (const table of ['admin_tokens', 'visitors', 'messages', 'contacts', 'workspaces']) await refused(verifier, `SELECT * FROM ${table} LIMIT 1`);
    for (const table of ['widget_secrets', 'admin_tokens', 'verification_failures', 'widgets']) await refused(contacts, `SELECT * FROM ${table} LIMIT 1`);
    // A right it holds is the test's positive control: the same client reads its own tables.
    await expect(gateway.query('SELECT * FROM widget_secrets LIMIT 1')).resolves.toBeDefined();
    await expect(contacts.query('SELECT * FROM messages LIMIT 1')).resolves.toBeDefined();
    await expect(verifier.query('SELECT * FROM verification_failures LIMIT 1')).resolves.toBeDefined();
    // Contacts may lock a visitor, not log it out.
    await refused(contacts, 'UPDATE visitors SET logged_out_at = now()');
    await refused(verifier, 'UPDATE widget_secrets SET revealed_at = NULL');
  });

  test('no service role, nor the owner, may run a program, change the schema or make a role', async () => {
    const everyone = [
      await as(servers.databaseUrl),
      ...(await Promise.all(Object.keys(SERVICE_ROLES).map((name) => service(name as keyof typeof SERVICE_ROLES)))),
    ];
    for (const client of everyone) {
      await refused(client, `COPY (SELECT 1) TO PROGRAM 'touch /tmp/inviaro-copy-to-program'`);
      await refused(client, `COPY messages FROM PROGRAM 'true'`);
      await refused(client, 'CREATE ROLE intruder LOGIN SUPERUSER');
      await refused(client, `SELECT pg_read_file('/etc/passwd')`);
    }
    for (const client of everyone.slice(1)) {
      await refused(client, 'CREATE TABLE intruder (id int)');
      await refused(client, 'CREATE TEMP TABLE intruder (id int)');
      await refused(client, 'ALTER TABLE messages ADD COLUMN intruder int');
      await refused(client, 'DROP TABLE widget_secrets');
      await refused(client, 'TRUNCATE visitor_events');
    }
  });

  test('the audit log is append-only for every service: UPDATE, DELETE and TRUNCATE are refused; its pruning keeps at least 30 days (issue 24)', async () => {
    const owner = await as(servers.databaseUrl);
    const workspace = (await owner.query<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('audited') RETURNING id`)).rows[0]!.id;
    const gateway = await service('gateway');
    // The positive control: the gateway records and reads entries.
    await gateway.query(
      `INSERT INTO audit_log (workspace_id, action, token_id, token_name, target_type, outcome, status, at) VALUES ($1, 'secret.reveal', gen_random_uuid(), 'admin', 'widget', 'ok', 200, now() - interval '500 days')`,
      [workspace],
    );
    expect((await gateway.query('SELECT action FROM audit_log WHERE workspace_id = $1', [workspace])).rows).toEqual([{ action: 'secret.reveal' }]);
    for (const name of Object.keys(SERVICE_ROLES) as Array<keyof typeof SERVICE_ROLES>) {
      const client = await service(name);
      await refused(client, `UPDATE audit_log SET outcome = 'forged'`);
      await refused(client, 'DELETE FROM audit_log');
      await refused(client, 'TRUNCATE audit_log');
    }
    for (const name of ['verifier', 'contacts'] as const) await refused(await service(name), 'SELECT prune_audit_log(400, 10)');
    await expect(gateway.query('SELECT prune_audit_log(1, 1000)')).rejects.toThrow('the audit log keeps at least 30 days, not 1');
    expect((await gateway.query('SELECT prune_audit_log(400, 1000) AS n')).rows).toEqual([{ n: 1 }]);
    expect((await owner.query('SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1', [workspace])).rows).toEqual([{ n: 0 }]);
  });

  test('every table of the schema has a grant decision in TABLE_GRANTS, and the database holds exactly those grants', async () => {
    const owner = await as(servers.databaseUrl);
    const tables = (await owner.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map(
      (row) => row.tablename,
    );
    expect(tables.filter((table) => !(table in TABLE_GRANTS))).toEqual([]);
    expect(Object.keys(TABLE_GRANTS).sort()).toEqual(tables);
    const held: Record<string, Record<string, string[]>> = {};
    const wanted: Record<string, Record<string, string[]>> = {};
    for (const table of tables) {
      for (const [name, role] of Object.entries(SERVICE_ROLES)) {
        const rights = await owner.query<{ privilege: string; held: boolean }>(
          `SELECT p AS privilege, has_table_privilege($1, $2, p) AS held FROM unnest($3::text[]) AS p`,
          [role, table, PRIVILEGES],
        );
        const columns = await owner.query<{ privilege: string }>(
          `SELECT privilege_type || ' (' || column_name || ')' AS privilege FROM information_schema.column_privileges
           WHERE grantee = $1 AND table_name = $2 AND NOT has_table_privilege($1, $2, privilege_type) ORDER BY 1`,
          [role, table],
        );
        (held[table] ??= {})[name] = [...rights.rows.filter((row) => row.held).map((row) => row.privilege), ...columns.rows.map((row) => row.privilege)];
        (wanted[table] ??= {})[name] = [...(TABLE_GRANTS[table]?.[name as keyof typeof SERVICE_ROLES] ?? [])];
      }
    }
    expect(held).toEqual(wanted);
  });

  test('a migration that finds a service role missing stops and says what to do', async () => {
    // The roles are made by provisioning, as a superuser; a database whose cluster lacks one is not migrated half-granted.
    const superuser = await as(servers.processes.postgres!.url);
    await superuser.query(`CREATE DATABASE without_roles OWNER ${OWNER_ROLE}`);
    await superuser.query(`ALTER ROLE ${SERVICE_ROLES.contacts} RENAME TO away`);
    try {
      const url = new URL(servers.databaseUrl);
      url.pathname = '/without_roles';
      await expect(runMigrations(url.toString())).rejects.toThrow(
        `database role(s) ${SERVICE_ROLES.contacts} missing: create the roles before migrating (docs/operations.md#database-roles)`,
      );
    } finally {
      await superuser.query(`ALTER ROLE away RENAME TO ${SERVICE_ROLES.contacts}`);
    }
  });
});
