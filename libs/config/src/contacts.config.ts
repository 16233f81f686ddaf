import { CommonConfig } from './common.config';
import { IntSetting, ReadBy } from './setting';

@ReadBy('contacts')
export class ContactsConfig extends CommonConfig {
  override PORT: number = 8082;

  /** Most contact.verified / contact.anonymous events attributed in one transaction; 1 turns batching off. */
  @IntSetting(1, 1000, 'group commit: most events attributed in one transaction (1 turns batching off)')
  ATTRIBUTION_BATCH_MAX: number = 64;

  /** Batches of events one instance attributes at once, and as many set-aside folds; events arriving while all are busy wait and go together. */
  @IntSetting(1, 64, 'group commit: attribution batches one instance runs at once (and as many folds, each in its own transaction)')
  ATTRIBUTION_TRANSACTIONS: number = 4;

  /** PostgreSQL connections of one instance (attribution, inbox queries, health). */
  @IntSetting(2, 200, 'PostgreSQL connections of one contacts instance')
  DATABASE_POOL_SIZE: number = 10;

  /**
   * Days the attribution timeline keeps what the fold rule may still read. At least 31: longer than the
   * dead-letter stream keeps an event (30 days), so a re-driven event still finds its place and its duplicate.
   */
  @IntSetting(31, 3650, 'days (at least 31) of attribution timeline kept beyond what the fold rule still reads ([retention](docs/data-model.md#retention))')
  VISITOR_EVENTS_RETENTION_DAYS: number = 90;
}
