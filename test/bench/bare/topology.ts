/**
 * The bare pipeline's streams, subjects and table (bench:e2e's baseline): edge -> BARE_INBOUND ->
 * consumer -> BARE_EVENTS -> inserter -> bare_messages. The streams take the settings of the
 * system's own that cost something per message (file storage, discard new, the duplicate window).
 */
import { DiscardPolicy, JetStreamManager, nanos, RetentionPolicy, StorageType } from 'nats';

/** Messages in flight per consumer: as many as the services' transport allows. */
export const IN_FLIGHT = 64;

export const BARE_INBOUND = { stream: 'BARE_INBOUND', subject: 'bare.inbound', consumer: 'bare_consumer' };
export const BARE_EVENTS = { stream: 'BARE_EVENTS', subject: 'bare.contact', consumer: 'bare_inserter' };
/** Core NATS, one message per committed batch with the ids it stored: how the benchmark learns that a message is stored. */
export const BARE_STORED_SUBJECT = 'bare.stored';

export const BARE_TABLE_SQL = `CREATE TABLE IF NOT EXISTS bare_messages (
  id uuid PRIMARY KEY, visitor text NOT NULL, text text NOT NULL, is_verified boolean NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`;

export async function createBareStreams(jsm: JetStreamManager, replicas = 1): Promise<void> {
  const every = { storage: StorageType.File, discard: DiscardPolicy.New, num_replicas: replicas, duplicate_window: nanos(2 * 60 * 1000) };
  await jsm.streams.add({ ...every, name: BARE_INBOUND.stream, subjects: [BARE_INBOUND.subject], retention: RetentionPolicy.Workqueue });
  await jsm.streams.add({ ...every, name: BARE_EVENTS.stream, subjects: [BARE_EVENTS.subject], retention: RetentionPolicy.Limits });
}
