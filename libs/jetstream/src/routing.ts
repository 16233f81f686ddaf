import { JsMsg } from 'nats';

/**
 * What the transport takes from the system it carries (as nestjs-jetstream's transport takes its
 * routing): where each subject is stored, what consumers are called, where and with what a message
 * that can never succeed is dead-lettered, and which errors say a message is invalid. The
 * transport itself knows no subject, stream or event.
 */
export interface JetStreamRouting {
  /** The stream that stores a subject. */
  streamOf(subject: string): string;
  /** The durable consumer that a service's instances share for a subject (a broadcast handler's own consumers take it as a prefix). */
  consumerName(service: string, subject: string): string;
  /** A dead letter of `subject` is published on `${deadLetterPrefix}.${subject}`. */
  deadLetterPrefix: string;
  /** What a dead letter carries besides its headers. */
  deadLetterBody(message: Pick<JsMsg, 'data'> & { info: Pick<JsMsg['info'], 'stream'> }): Uint8Array;
  /** The decoders' error for an invalid message: such an event is dead-lettered at once, and such a request is its caller's fault. */
  isInvalidMessage(error: unknown): boolean;
}

/** What an event handler's pattern carries to the transport (the second argument of Nest's EventPattern). */
export interface EventHandlerExtras {
  /** Each process gets every event (an ephemeral consumer) instead of sharing a durable one with its siblings. */
  broadcast?: boolean;
  /** Reads and validates the message's bytes before the handler runs; without one, the handler gets the parsed JSON. */
  decode?: (data: Uint8Array) => unknown;
}

/** What a request handler's pattern carries to the transport (the second argument of Nest's MessagePattern). */
export interface RequestHandlerExtras {
  /** Validates the parsed request before the handler runs; without one, the handler gets the parsed JSON. */
  decode?: (request: unknown) => unknown;
}
