import { ContactAnonymous, ContactFolded, ContactVerified, MessageInbound, MessageStored, VisitorLoggedOut, WidgetSecretRotated } from '@inviaro/contracts';
import { DiscardPolicy, JetStreamManager, nanos, RetentionPolicy, StorageType, StreamConfig } from 'nats';

const DAY_MS = 24 * 60 * 60 * 1000;

export const EVENT_STREAM = 'INVIARO_EVENTS';
export const DEAD_LETTER_STREAM = 'INVIARO_DEAD_LETTERS';
export const DEAD_LETTER_PREFIX = 'dead-letter';

/** Every stream the system uses, declared once and provisioned idempotently by each service at start. */
export const STREAMS: Array<Partial<StreamConfig> & { name: string; subjects: string[] }> = [
  {
    name: EVENT_STREAM,
    subjects: [MessageInbound, ContactVerified, ContactAnonymous, ContactFolded, MessageStored, WidgetSecretRotated, VisitorLoggedOut].map((c) => c.subject),
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

export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  for (const stream of STREAMS) {
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
