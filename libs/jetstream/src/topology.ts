import { ContactAnonymous, ContactFolded, ContactVerified, MessageInbound, MessageStored, WidgetSecretRotated } from '@inviaro/contracts';
import { DiscardPolicy, JetStreamManager, nanos, RetentionPolicy, StorageType, StreamConfig } from 'nats';

const DAY_MS = 24 * 60 * 60 * 1000;

export const EVENT_STREAM = 'INVIARO_EVENTS';
export const DEAD_LETTER_STREAM = 'INVIARO_DEAD_LETTERS';
export const DEAD_LETTER_PREFIX = 'dead-letter';

/** Every stream the system uses, declared once and provisioned idempotently by each service at start. */
export const STREAMS: Array<Partial<StreamConfig> & { name: string; subjects: string[] }> = [
  {
    name: EVENT_STREAM,
    subjects: [MessageInbound, ContactVerified, ContactAnonymous, ContactFolded, MessageStored, WidgetSecretRotated].map((c) => c.subject),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    // Kept a week so that operators can replay (`events tail --since`) and dead letters can be re-driven.
    max_age: nanos(7 * DAY_MS),
    // Publishers set Nats-Msg-Id; a retry inside this window is stored once.
    duplicate_window: nanos(2 * 60 * 1000),
  },
  {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_PREFIX}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(30 * DAY_MS),
    duplicate_window: nanos(2 * 60 * 1000),
  },
];

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/**
 * Creates or updates every stream of STREAMS. `replicas` (NATS_STREAM_REPLICAS) applies to each of
 * them alike: 1 on one server; 3 on a cluster, where an acknowledged publish is on a quorum of nodes.
 * The durable consumers follow their stream's replica count (they set none of their own).
 */
export async function ensureStreams(jsm: JetStreamManager, replicas = 1): Promise<void> {
  for (const declared of STREAMS) {
    const stream = { ...declared, num_replicas: replicas };
    try {
      await jsm.streams.info(stream.name);
      await jsm.streams.update(stream.name, stream);
    } catch (error) {
      const code = (error as { api_error?: { err_code?: number } }).api_error?.err_code;
      if (code !== STREAM_NOT_FOUND) throw error;
      try {
        await jsm.streams.add(stream);
      } catch (addError) {
        // Another service created it between our look and our add: that is the state we wanted.
        if ((addError as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_NAME_IN_USE) throw addError;
      }
    }
  }
}
