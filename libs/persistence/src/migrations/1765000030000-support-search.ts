import { sqlMigration } from './sql-migration';

export class SupportSearch1765000030000 extends sqlMigration({
  up: `
      -- The inbox finds contacts by email, in any case (GET /v1/admin/contacts?email=).
      CREATE INDEX contacts_workspace_email ON contacts (workspace_id, lower(email)) WHERE email IS NOT NULL;
      -- A contact's detail lists its visitors' failed claims (GET /v1/admin/contacts/{id}).
      CREATE INDEX verification_failures_visitor ON verification_failures (visitor_id, at DESC) WHERE visitor_id IS NOT NULL;
    `,
  down: ['DROP INDEX verification_failures_visitor, contacts_workspace_email'],
}) {}
