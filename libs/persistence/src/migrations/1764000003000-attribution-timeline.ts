import { sqlMigration } from './sql-migration';

/**
 * The attribution timeline: what the fold rule (docs/data-model.md) reads so that any delivery
 * order of a visitor's events ends in the state that in-order delivery gives.
 */
export class AttributionTimeline1764000003000 extends sqlMigration({
  up: `
      -- A retired anonymous contact says which verified event closed its run (folded_by, a message id);
      -- merged_at (1764000002000) is when that event was received: the boundary the fold rule orders by.
      -- Contacts retired before this migration have no folded_by: the event that closed them was not kept.
      ALTER TABLE contacts ADD COLUMN folded_by uuid;
      ALTER TABLE contacts ADD CONSTRAINT contact_folded_by_retired CHECK (folded_by IS NULL OR merged_into_id IS NOT NULL);
      -- One verified event closes at most one anonymous run.
      CREATE UNIQUE INDEX contacts_folded_by ON contacts (folded_by) WHERE folded_by IS NOT NULL;
      -- Attributes are kept latest-first by the time their event was received, not by when it was handled.
      ALTER TABLE contacts ADD COLUMN email_at timestamptz, ADD COLUMN name_at timestamptz;

      -- Every attributed widget event, once per message id: the visitor's timeline.
      CREATE TABLE visitor_events (
        message_id uuid PRIMARY KEY,
        visitor_id uuid NOT NULL REFERENCES visitors(id),
        received_at timestamptz NOT NULL,
        -- The verified user for a verified event; null for an anonymous one.
        user_id text,
        -- Verified: the user's contact. Anonymous: the anonymous contact of its run (live, or retired into a verified one).
        contact_id uuid NOT NULL REFERENCES contacts(id),
        -- An anonymous event's attributes, to recompute its contact's when a late verified event splits a run.
        email text,
        name text,
        CHECK (user_id IS NULL OR (email IS NULL AND name IS NULL))
      );
      CREATE INDEX visitor_events_verified ON visitor_events (visitor_id, received_at, message_id) WHERE user_id IS NOT NULL;
      CREATE INDEX visitor_events_anonymous ON visitor_events (visitor_id, received_at, message_id) WHERE user_id IS NULL;
      CREATE INDEX visitor_events_anonymous_contact ON visitor_events (contact_id, received_at) WHERE user_id IS NULL;

      -- The runs still open: a live anonymous contact's messages, so that the visitor's next login folds them.
      INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id)
      SELECT m.id, v.visitor_id, m.created_at, NULL, c.id
      FROM messages m
      JOIN conversations v ON v.id = m.conversation_id
      JOIN contacts c ON c.id = v.contact_id
      WHERE m.author = 'visitor' AND c.user_id IS NULL AND c.merged_into_id IS NULL;
    `,
  down: [
    `
      DROP TABLE visitor_events;
      DROP INDEX contacts_folded_by;
      ALTER TABLE contacts DROP CONSTRAINT contact_folded_by_retired,
        DROP COLUMN folded_by, DROP COLUMN email_at, DROP COLUMN name_at;
    `,
  ],
}) {}
