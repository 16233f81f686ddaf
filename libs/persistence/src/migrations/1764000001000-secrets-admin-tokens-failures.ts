import { sqlMigration } from './sql-migration';

export class SecretsAdminTokensFailures1764000001000 extends sqlMigration({
  up: `
      CREATE TABLE admin_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- Sealed widget secrets: the current version and, for telling a stale digest from a wrong one, the one before.
      CREATE TABLE widget_secrets (
        widget_id uuid NOT NULL REFERENCES widgets(id),
        version integer NOT NULL CHECK (version >= 1),
        key_id text NOT NULL,
        iv bytea NOT NULL,
        ciphertext bytea NOT NULL,
        tag bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revealed_at timestamptz,
        PRIMARY KEY (widget_id, version)
      );
      CREATE TABLE verification_failures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        widget_id uuid NOT NULL REFERENCES widgets(id),
        -- One record per failed widget event, however often the event is redelivered.
        correlation_id uuid NOT NULL UNIQUE,
        claimed_user_id text,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX verification_failures_workspace_at ON verification_failures (workspace_id, at DESC, id DESC);
      CREATE INDEX verification_failures_widget_at ON verification_failures (widget_id, at DESC, id DESC);
    `,
  down: ['DROP TABLE verification_failures, widget_secrets, admin_tokens'],
}) {}
