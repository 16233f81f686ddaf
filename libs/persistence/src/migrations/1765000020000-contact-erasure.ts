import { sqlMigration } from './sql-migration';

/**
 * Erasure of a user's data (issue 24, docs/security.md#erasure). `erasure_tombstones` remembers what was
 * erased, so that an event received before the erasure and delivered after it is dropped, not stored
 * again: the erased user (as a digest of workspace and user id, never the id itself) and each device
 * whose conversations went, with when. The gateway's admin API erases the user id's failure records.
 */
export class ContactErasure1765000020000 extends sqlMigration({
  up: `
      CREATE TABLE erasure_tombstones (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        user_digest text CHECK (user_digest ~ '^[0-9a-f]{64}$'),
        visitor_id uuid,
        erased_at timestamptz NOT NULL,
        CONSTRAINT erasure_tombstone_user_or_visitor CHECK ((user_digest IS NULL) <> (visitor_id IS NULL))
      );
      CREATE UNIQUE INDEX erasure_tombstones_user ON erasure_tombstones (workspace_id, user_digest) WHERE user_digest IS NOT NULL;
      CREATE UNIQUE INDEX erasure_tombstones_visitor ON erasure_tombstones (visitor_id) WHERE visitor_id IS NOT NULL;
    `,
  grants: ['erasure_tombstones', 'verification_failures'],
  down: ['DROP TABLE erasure_tombstones', 'REVOKE DELETE ON TABLE verification_failures FROM inviaro_gateway'],
}) {}
