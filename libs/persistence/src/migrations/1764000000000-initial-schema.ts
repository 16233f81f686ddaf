import { sqlMigration } from './sql-migration';

export class InitialSchema1764000000000 extends sqlMigration({
  up: `
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE widgets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        key text NOT NULL UNIQUE,
        name text NOT NULL,
        allowed_origins text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX widgets_workspace ON widgets (workspace_id);
      CREATE TABLE visitors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        widget_id uuid NOT NULL REFERENCES widgets(id),
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        logged_out_at timestamptz
      );
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        user_id text,
        is_verified boolean NOT NULL DEFAULT false,
        visitor_id uuid REFERENCES visitors(id),
        merged_into_id uuid REFERENCES contacts(id),
        email text,
        name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        -- A contact is either verified (a user id, no visitor) or one visitor's anonymous contact.
        CONSTRAINT contact_is_verified_or_anonymous CHECK (
          (is_verified AND user_id IS NOT NULL AND visitor_id IS NULL) OR (NOT is_verified AND user_id IS NULL AND visitor_id IS NOT NULL)
        )
      );
      -- One contact per verified user in a workspace: devices verifying as the same user meet here.
      CREATE UNIQUE INDEX contacts_workspace_user ON contacts (workspace_id, user_id) WHERE user_id IS NOT NULL;
      -- One live anonymous contact per visitor; retired (merged) ones are kept for audit.
      CREATE UNIQUE INDEX contacts_live_anonymous_visitor ON contacts (visitor_id) WHERE visitor_id IS NOT NULL AND merged_into_id IS NULL;
      CREATE TABLE conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        contact_id uuid NOT NULL REFERENCES contacts(id),
        widget_id uuid NOT NULL REFERENCES widgets(id),
        visitor_id uuid NOT NULL REFERENCES visitors(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- One thread per device and contact: a device's messages to one contact land together.
      CREATE UNIQUE INDEX conversations_contact_visitor ON conversations (contact_id, visitor_id);
      CREATE INDEX conversations_visitor ON conversations (visitor_id);
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL REFERENCES conversations(id),
        author text NOT NULL CHECK (author IN ('visitor', 'operator')),
        text text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX messages_conversation_created ON messages (conversation_id, created_at);
    `,
  down: ['DROP TABLE messages, conversations, contacts, visitors, widgets, workspaces'],
}) {}
