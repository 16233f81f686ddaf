import { sqlMigration } from './sql-migration';

/**
 * Whether a contact's `email` and `name` came signed (in a user_jwt, contact.verified's
 * `signed_attributes`) or are what the page said. Only a verified contact can hold a signed value,
 * and a flag without a value means nothing.
 */
export class SignedAttributes1764000006000 extends sqlMigration({
  up: `
      ALTER TABLE contacts
        ADD COLUMN email_verified boolean NOT NULL DEFAULT false,
        ADD COLUMN name_verified boolean NOT NULL DEFAULT false,
        ADD CONSTRAINT contact_signed_attributes CHECK (
          (NOT email_verified OR (email IS NOT NULL AND user_id IS NOT NULL)) AND (NOT name_verified OR (name IS NOT NULL AND user_id IS NOT NULL)));
    `,
  down: ['ALTER TABLE contacts DROP CONSTRAINT contact_signed_attributes, DROP COLUMN email_verified, DROP COLUMN name_verified'],
}) {}
