import { MigrationInterface, QueryRunner } from 'typeorm';
import { grantTables, SERVICE_ROLES } from '../database-roles';

/**
 * Each service's database role gets only what it needs (libs/persistence/src/database-roles.ts,
 * docs/data-model.md#database-roles). The roles are made by provisioning before migrations run;
 * a missing one stops this migration with a message that says so. From here on, a migration that
 * adds a table grants it too (`grantTables`): there are no default privileges.
 */
export class ServiceRoleGrants1765000001000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await grantTables(db, [
      'workspaces',
      'admin_tokens',
      'widgets',
      'widget_secrets',
      'visitors',
      'verification_failures',
      'contacts',
      'conversations',
      'messages',
      'visitor_events',
      'schema_migrations',
    ]);
    // No temporary tables either: a service role creates nothing, not even for its session.
    await db.query(`DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database()); END $$`);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${Object.values(SERVICE_ROLES).join(', ')}`);
  }
}
