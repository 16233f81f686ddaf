import { sqlMigration } from './sql-migration';

/**
 * Statistics of `lower(email)`, for the inbox's search by email: PostgreSQL does not use the statistics of a
 * partial index's expression (contacts_workspace_email is partial), so it guessed 0.5% of a workspace's contacts
 * per email and, past a few hundred thousand contacts, walked the newest-first index through all of them
 * (356 ms a call at 1M in `npm run bench:data`). ANALYZE fills them now; autovacuum keeps them.
 */
export class ContactEmailStatistics1765000060000 extends sqlMigration({
  up: `
    CREATE STATISTICS contacts_lower_email ON (lower(email)) FROM contacts;
    ANALYZE contacts;
  `,
  down: ['DROP STATISTICS contacts_lower_email'],
}) {}
