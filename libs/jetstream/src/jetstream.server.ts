import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { NatsConnection } from 'nats';
import { Logger } from 'pino';
import { EventConsumers } from './event-consumers';
import { Responder } from './responder';

export interface JetStreamServerOptions {
  /** Names the durable consumers and the request queue group that this service's instances share. */
  service: string;
  logger: Logger;
  /** Deliveries before a message that keeps failing is dead-lettered. */
  maxDeliver?: number;
  /** How long a delivery may go unacknowledged before the server redelivers it. */
  ackWaitMs?: number;
  /** Messages one instance handles at once, per subject. */
  concurrency?: number;
}

const DEFAULTS = { maxDeliver: 8, ackWaitMs: 10_000, concurrency: 64 };

/**
 * A Nest transport on JetStream durable pull consumers. At least once: a message is acknowledged
 * only after its handler's promise resolves; a failure is redelivered with exponential backoff;
 * an invalid message, or one that failed on its last delivery, goes to the dead-letter subject.
 * Handlers must therefore be idempotent. Events go to EventConsumers (consume loop and
 * settlement), requests to the Responder.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly events: EventConsumers;
  private readonly requests: Responder;

  constructor(
    private readonly nc: NatsConnection,
    options: JetStreamServerOptions,
  ) {
    super();
    this.events = new EventConsumers(nc, { ...DEFAULTS, ...stripUndefined(options), service: options.service, logger: options.logger });
    this.requests = new Responder(nc, options.service, options.logger, (result) => this.transformToObservable(result));
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    this.events.startKeepAlive();
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) await this.events.consume(pattern, handler);
        else this.requests.respond(pattern, handler);
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking messages, lets those in hand finish (and be acknowledged), then drains the connection. */
  async close(): Promise<void> {
    this.events.stop();
    this.requests.close();
    await this.events.finish();
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to; watch the NATS connection status instead');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
