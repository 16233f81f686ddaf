import { MigrationInterface, QueryRunner } from 'typeorm';

/** Built CONCURRENTLY: a grown table keeps taking writes while its index builds (issue 26). */
const INDEXES: Array<{ name: string; definition: string }> = [
  // The inbox's contact list, newest first, with and without `?verified=`: read in index order, no scan and sort of every contact.
  { name: 'contacts_inbox', definition: 'ON contacts (workspace_id, created_at DESC, id DESC) WHERE merged_into_id IS NULL' },
  { name: 'contacts_inbox_verified', definition: 'ON contacts (workspace_id, is_verified, created_at DESC, id DESC) WHERE merged_into_id IS NULL' },
  // A page of a thread by its keyset (created_at, id): the newest page of a 200k-message thread reads one page, not the thread.
  { name: 'messages_conversation_page', definition: 'ON messages (conversation_id, created_at, id)' },
];

/**
 * Indexes for the read paths of a grown database: the contact list, and history and a contact's
 * detail paged by thread. CREATE INDEX CONCURRENTLY cannot run in a transaction, hence
 * `transaction = false`; each index is dropped first when a build that failed half-way left it invalid.
 */
export class ReadPathIndexes1765000050000 implements MigrationInterface {
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    for (const index of INDEXES) {
      await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
      await db.query(`CREATE INDEX CONCURRENTLY ${index.name} ${index.definition}`);
    }
    // messages_conversation_page starts with the same column and serves every query it served.
    await db.query('DROP INDEX CONCURRENTLY IF EXISTS messages_conversation_created');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_conversation_created ON messages (conversation_id, created_at)');
    for (const index of INDEXES) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
  }
}
