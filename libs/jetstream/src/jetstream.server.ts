import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { DebugEvents, Events, NatsConnection } from 'nats';
import { EventEmitter } from 'node:events';
import { Logger } from 'pino';
import { describeError } from './describe-error';
import { EventConsumers } from './event-consumers';
import { withProcessingHooks } from './processing-hooks';
import { Responder } from './responder';
import { JetStreamRouting } from './routing';

export interface JetStreamServerOptions {
  /** Names the durable consumers and the request queue group that this service's instances share. */
  service: string;
  logger: Logger;
  /** The system's streams, consumer names, dead letters and invalid messages. */
  routing: JetStreamRouting;
  /** Deliveries before a message that keeps failing is dead-lettered. */
  maxDeliver?: number;
  /** How long a delivery may go unacknowledged before the server redelivers it. */
  ackWaitMs?: number;
  /** Messages one instance handles at once, per subject. */
  concurrency?: number;
  /** How long the server keeps a broadcast handler's own consumer while nobody pulls from it. */
  ownConsumerInactiveMs?: number;
}

const DEFAULTS = { maxDeliver: 8, ackWaitMs: 10_000, concurrency: 64, ownConsumerInactiveMs: 60_000 };

/** Identifies this transport to the processing hooks (Nest's own transports pass a Transport enum value). */
export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM');

/** The connection's state, as Nest's NATS transport reports it on `status`. */
export type JetStreamStatus = 'connected' | 'disconnected' | 'reconnecting';

/** What `on()` listens to: the connection's changes, with the NATS client's data (the server, or the cluster update). */
export type JetStreamEvents = {
  disconnect: (server: string) => void;
  reconnect: (server: string) => void;
  update: (change: unknown) => void;
};

/**
 * A Nest transport on JetStream durable pull consumers. At least once: a message is acknowledged
 * only after its handler's promise resolves; a failure is redelivered with exponential backoff;
 * an invalid message, or one that failed on its last delivery, goes to the dead-letter subject.
 * Handlers must therefore be idempotent. Events go to EventConsumers (consume loop and
 * settlement), requests to the Responder. Like Nest's own transports it runs each handler inside
 * the processing hooks, gives request handlers a context, and reports the connection on `status` and `on()`.
 */
export class JetStreamServer extends Server<JetStreamEvents, JetStreamStatus> implements CustomTransportStrategy {
  private readonly events: EventConsumers;
  private readonly requests: Responder;
  private readonly connectionEvents = new EventEmitter();
  private readonly log: Logger;

  constructor(
    private readonly nc: NatsConnection,
    options: JetStreamServerOptions,
  ) {
    super();
    this.transportId = JETSTREAM_TRANSPORT;
    this.log = options.logger;
    const processing = withProcessingHooks(
      () => this.transportId ?? JETSTREAM_TRANSPORT,
      () => this.onProcessingStartHook,
      () => this.onProcessingEndHook,
    );
    this.events = new EventConsumers(nc, {
      ...DEFAULTS,
      ...stripUndefined(options),
      service: options.service,
      logger: options.logger,
      processing,
      routing: options.routing,
    });
    this.requests = new Responder(
      nc,
      options.service,
      options.logger,
      (result) => this.transformToObservable(result),
      processing,
      (error) => options.routing.isInvalidMessage(error),
    );
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    this._status$.next('connected');
    this.reportStatus().catch((error: unknown) => this.log.error({ err: describeError(error) }, 'the transport stopped watching the NATS connection'));
    this.events.startKeepAlive();
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) await this.events.consume(pattern, handler);
        else this.requests.respond(pattern, handler);
      }
      // Ready means answering: the server has taken every responder's subscription (a request sent by anyone
      // right after the start would otherwise meet "no responders", 503).
      await this.nc.flush();
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
    this.connectionEvents.removeAllListeners();
  }

  on<K extends keyof JetStreamEvents>(event: K, callback: JetStreamEvents[K]): void {
    this.connectionEvents.on(event, callback);
  }

  /** The connection's changes, as `status` and `on()` events; the service's own log lines about them come from connectJetStream. */
  private async reportStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) this._status$.next('disconnected');
      else if (status.type === DebugEvents.Reconnecting) this._status$.next('reconnecting');
      else if (status.type === Events.Reconnect) this._status$.next('connected');
      if (status.type === Events.Disconnect || status.type === Events.Reconnect || status.type === Events.Update)
        this.connectionEvents.emit(status.type, status.data);
    }
  }

  unwrap<T>(): T {
    return this.nc as T;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
