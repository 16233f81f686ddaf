import { MigrationInterface, QueryRunner } from 'typeorm';

export class SupportSearch1765000030000 implements MigrationInterface {
  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      -- The inbox finds contacts by email, in any case (GET /v1/admin/contacts?email=).
      CREATE INDEX contacts_workspace_email ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;
      -- A contact's detail lists its visitors' failed claims (GET /v1/admin/contacts/{id}).
      CREATE INDEX verification_failures_visitor ON verification_failures (visitor_id, at DESC) WHERE visitor_id IS NOT NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX verification_failures_visitor, contacts_workspace_email');
  }
}
