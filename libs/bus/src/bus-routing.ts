import { InvalidEventError } from '@inviaro/contracts';
import { connectJetStream, JetStreamRouting, NatsSettings } from '@inviaro/jetstream';
import { NatsConnection } from 'nats';
import { Logger } from 'pino';
import { deadLetterBody } from './dead-letter-body';
import { durableName } from './consumer-names';
import { streamsToUpdate } from './permissions';
import { DEAD_LETTER_PREFIX, ensureStreams, streamOf, StreamSettings } from './topology';

/** What the transport carries for this system: its streams, consumer names and dead letters, and the contracts' validation error. */
export const BUS_ROUTING: JetStreamRouting = {
  streamOf: (subject) => streamOf(subject),
  consumerName: durableName,
  deadLetterPrefix: DEAD_LETTER_PREFIX,
  deadLetterBody,
  isInvalidMessage: (error) => error instanceof InvalidEventError,
};

/** The process's connection, once the system's streams are created where missing and brought up to date by the users allowed to change them. */
export function connectBus(settings: NatsSettings & StreamSettings, name: string, logger: Logger): Promise<NatsConnection> {
  return connectJetStream(settings, name, logger, (jsm) => ensureStreams(jsm, settings, { updates: streamsToUpdate(settings.NATS_USER) }));
}
