import { escapeIdentifier, escapeLiteral } from 'pg';

/**
 * Who connects to PostgreSQL as whom (docs/data-model.md#database-roles). The owner owns the
 * database and its schema and runs the migrations (the CLI uses it); it is not a superuser. Each
 * service logs in as a role of its own that holds only the grants below: no DDL, no other
 * service's tables, nothing a superuser may do (`COPY ... TO PROGRAM`).
 */
export const OWNER_ROLE = 'inviaro';

/** A migration's query runner (TypeORM's, which answers rows of no particular type): grants run inside migrations. */
interface MigrationSql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export const SERVICE_ROLES = { gateway: 'inviaro_gateway', verifier: 'inviaro_verifier', contacts: 'inviaro_contacts' } as const;
export type RoleService = keyof typeof SERVICE_ROLES;
export type DatabaseRole = typeof OWNER_ROLE | (typeof SERVICE_ROLES)[RoleService];
export const DATABASE_ROLES: readonly DatabaseRole[] = [OWNER_ROLE, ...Object.values(SERVICE_ROLES)];

/** A table privilege, or `UPDATE (column)` where only that column may be written. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | `UPDATE (${string})`;

/**
 * Every table of the schema and what each service may do with it; a service not named gets nothing.
 * A migration that adds a table adds its row here and grants it (`grantTables`) in the same
 * migration; test/ops/database-roles.test.ts fails on a table without a row, and on a grant in the
 * database that differs from this table.
 */
export const TABLE_GRANTS: Record<string, Partial<Record<RoleService, readonly TablePrivilege[]>>> = {
  // Made by the CLI (`workspace create`, as the owner); the services only refer to their ids.
  workspaces: {},
  // The admin API makes, lists and revokes tokens, and stamps a token's last use. UPDATE on the whole row: a
  // role that may INSERT an admin token gains nothing by rewriting one (and the revoke locks rows FOR UPDATE).
  admin_tokens: { gateway: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  // Append-only for every service: the admin API records and reads; retention prunes through prune_audit_log (owner's rights).
  audit_log: { gateway: ['SELECT', 'INSERT'] },
  // Gateway: the admin API creates, lists and changes widgets; a change of secrets or policy bumps the row.
  // Verifier: a claim is checked against the widget's policy and secrets.
  widgets: { gateway: ['SELECT', 'INSERT', 'UPDATE'], verifier: ['SELECT'] },
  widget_secrets: { gateway: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], verifier: ['SELECT'] },
  // Contacts locks the visitors of a batch (`SELECT ... FOR UPDATE`), which PostgreSQL allows only with an
  // UPDATE right: on `created_at` alone, a column nothing decides by, so it cannot log a visitor out.
  visitors: { gateway: ['SELECT', 'INSERT', 'UPDATE'], contacts: ['SELECT', 'UPDATE (created_at)'] },
  // Verifier records failures (an upsert) and prunes them (retention); the admin API lists them, and erases an erased user id's.
  verification_failures: { gateway: ['SELECT', 'DELETE'], verifier: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  // Verifier adds its per-hour counts (an upsert) and prunes them (retention); the admin API reads the health report.
  verification_counts: { gateway: ['SELECT'], verifier: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  contacts: { contacts: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  conversations: { contacts: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  messages: { contacts: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  visitor_events: { contacts: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  // Contacts records what it erased (an upsert) and drops the late events of it; the verifier records no failure of an erased user id.
  erasure_tombstones: { verifier: ['SELECT'], contacts: ['SELECT', 'INSERT', 'UPDATE'] },
  // TypeORM's record of applied migrations: the owner's alone.
  schema_migrations: {},
};

/** Grants `tables` as TABLE_GRANTS says, after taking back whatever the service roles held on them. Run as the owner. */
export async function grantTables(db: MigrationSql, tables: readonly string[]): Promise<void> {
  await requireServiceRoles(db);
  const roles = Object.values(SERVICE_ROLES).map(escapeIdentifier).join(', ');
  const statements = [`GRANT USAGE ON SCHEMA public TO ${roles}`];
  for (const table of tables) {
    const grants = TABLE_GRANTS[table];
    if (!grants) throw new Error(`table ${table} has no row in TABLE_GRANTS (libs/persistence/src/database-roles.ts)`);
    statements.push(`REVOKE ALL ON TABLE ${escapeIdentifier(table)} FROM ${roles}`);
    for (const [service, privileges] of Object.entries(grants) as Array<[RoleService, readonly TablePrivilege[]]>) {
      statements.push(`GRANT ${privileges.join(', ')} ON TABLE ${escapeIdentifier(table)} TO ${escapeIdentifier(SERVICE_ROLES[service])}`);
    }
  }
  await db.query(statements.join(';\n'));
}

/** The service roles are made by provisioning (`provisioningSql`), never by a migration: one that is missing stops the migration. */
async function requireServiceRoles(db: MigrationSql): Promise<void> {
  const wanted = Object.values(SERVICE_ROLES);
  const found = (await db.query('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [wanted])) as Array<{ rolname: string }>;
  const missing = wanted.filter((role) => !found.some((row) => row.rolname === role));
  if (missing.length) {
    throw new Error(`database role(s) ${missing.join(', ')} missing: create the roles before migrating (docs/operations.md#database-roles)`);
  }
}

/**
 * One SQL batch, run by a superuser, that makes every role (or resets its password and attributes)
 * and hands the owner the database. Each role logs in with its own password and none may create
 * databases or roles or bypass anything; the owner is not a superuser. The database itself is
 * created (`CREATE DATABASE ... OWNER`) by the caller: that statement cannot run in a batch.
 */
export function provisioningSql(passwords: Record<DatabaseRole, string>): string {
  return DATABASE_ROLES.map((role) => {
    const name = escapeIdentifier(role);
    return `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${escapeLiteral(role)}) THEN CREATE ROLE ${name}; END IF; END $$;
ALTER ROLE ${name} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT PASSWORD ${escapeLiteral(passwords[role])};`;
  }).join('\n');
}
