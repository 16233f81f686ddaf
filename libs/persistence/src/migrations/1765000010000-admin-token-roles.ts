import { sqlMigration } from './sql-migration';
import { SERVICE_ROLES } from '../database-roles';

/**
 * Admin tokens get a name and a role (`admin` or `support`), and the admin API makes, lists and revokes
 * them (issue 24). A revoked token's row is deleted: the guard reads the row on every call, so the
 * revocation is in force on every gateway once the DELETE commits. The workspace's existing token
 * (from `inviaro workspace create`) becomes an admin token named for where it came from.
 */
export class AdminTokenRoles1765000010000 extends sqlMigration({
  up: `
      ALTER TABLE admin_tokens
        ADD COLUMN name text,
        ADD COLUMN role text,
        ADD COLUMN last_used_at timestamptz;
      UPDATE admin_tokens SET name = 'first admin token', role = 'admin';
      ALTER TABLE admin_tokens
        ALTER COLUMN name SET NOT NULL,
        ALTER COLUMN role SET NOT NULL,
        ADD CONSTRAINT admin_tokens_name CHECK (length(name) BETWEEN 1 AND 255),
        ADD CONSTRAINT admin_tokens_role CHECK (role IN ('admin', 'support'));
      CREATE INDEX admin_tokens_workspace ON admin_tokens (workspace_id, created_at, id);
    `,
  grants: ['admin_tokens'],
  down: [
    `
      DROP INDEX admin_tokens_workspace;
      ALTER TABLE admin_tokens DROP CONSTRAINT admin_tokens_role, DROP CONSTRAINT admin_tokens_name,
        DROP COLUMN last_used_at, DROP COLUMN role, DROP COLUMN name;
      REVOKE INSERT, DELETE, UPDATE ON admin_tokens FROM ${SERVICE_ROLES.gateway};
    `,
  ],
}) {}
