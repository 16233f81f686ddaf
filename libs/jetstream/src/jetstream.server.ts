import { decodeEvent, EventContract, InvalidEventError, RequestContract, RequestFault, RequestReply, validateData } from '@inviaro/contracts';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, headers, JetStreamManager, JsMsg, Msg, NatsConnection, nanos, nuid, Subscription } from 'nats';
import { counter, gauge, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Logger } from 'pino';
import { isObservable, lastValueFrom } from 'rxjs';
import { DEAD_LETTER_HEADERS, deadLetterBody, isDeadLetterError } from './dead-letter';
import { CORRELATION_HEADER } from './event-publisher';
import { EventHandlerOptions } from './handler.decorators';
import { JetStreamContext } from './jetstream.context';
import { durableName } from './permissions';
import { isRefusal } from './request-refused';
import { SupervisedConsumer, superviseConsumer } from './supervised-consumer';
import { DEAD_LETTER_PREFIX, streamOf } from './topology';

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

type HandlerExtras = EventHandlerOptions & { contract?: EventContract<object> };
type RequestExtras = { contract?: RequestContract<object, unknown> };

// A short ack wait gets a crashed instance's messages redelivered soon; long handlers keep theirs with working().
const handled = counter('inviaro_events_handled_total', 'Events handled, by subject and outcome (acked, retried, dead_lettered)', ['subject', 'outcome']);
const handling = histogram('inviaro_event_handling_seconds', 'Time from delivery to settlement, by subject', ['subject'], LATENCY_BUCKETS);

/** The durable consumers this process reads, for the pending gauge: a lagging consumer shows here. */
const consumed: Array<{ jsm: JetStreamManager; stream: string; name: string }> = [];
gauge('inviaro_consumer_pending', 'Messages waiting for this service, by durable consumer', ['consumer', 'state'], async (pending) => {
  for (const { jsm, stream, name } of consumed) {
    const info = await jsm.consumers.info(stream, name).catch(() => undefined);
    if (!info) continue;
    pending.set({ consumer: name, state: 'pending' }, info.num_pending);
    pending.set({ consumer: name, state: 'unacknowledged' }, info.num_ack_pending);
    pending.set({ consumer: name, state: 'redelivered' }, info.num_redelivered);
  }
});

const DEFAULTS = { maxDeliver: 8, ackWaitMs: 10_000, concurrency: 64 };
/**
 * How long one pull request waits on the server. When the node leading a consumer dies, the open pull dies
 * with it, and the client pulls again only after two missed heartbeats (half this each): the client's default
 * of 30 s would stall the consumer that long after a node failure; this bounds it to about 5 s.
 */
const PULL_EXPIRES_MS = 5_000;
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * A Nest transport on JetStream durable pull consumers. At least once: a message is acknowledged
 * only after its handler's promise resolves; a failure is redelivered with exponential backoff;
 * an invalid message, or one that failed on its last delivery, goes to the dead-letter subject.
 * Handlers must therefore be idempotent.
 */
export class JetStreamServer extends Server implements CustomTransportStrategy {
  private readonly settings: Required<Omit<JetStreamServerOptions, 'logger' | 'service'>>;
  private readonly consumers: SupervisedConsumer[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** When each message in hand was delivered, for the keep-alive sweep. */
  private readonly deliveredAt = new Map<JsMsg, number>();
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamServerOptions,
  ) {
    super();
    this.settings = { ...DEFAULTS, ...stripUndefined(options) };
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    // A long handler keeps its message: tell the server it is still being worked on, so it is not redelivered.
    this.keepAlive = setInterval(() => this.extendSlowDeliveries(), this.settings.ackWaitMs / 2);
    try {
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) await this.consume(pattern, handler);
        else this.respond(pattern, handler);
      }
      callback();
    } catch (error) {
      callback(error);
    }
  }

  /** Stops taking messages, lets those in hand finish (and be acknowledged), then drains the connection. */
  async close(): Promise<void> {
    for (const messages of this.consumers) messages.stop();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    await Promise.allSettled([...this.inFlight]);
    clearInterval(this.keepAlive);
  }

  private extendSlowDeliveries(): void {
    const threshold = Date.now() - this.settings.ackWaitMs / 2;
    for (const [message, at] of this.deliveredAt) if (at < threshold) message.working();
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to; watch the NATS connection status instead');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private async consume(subject: string, handler: MessageHandler): Promise<void> {
    const extras = (handler.extras ?? {}) as HandlerExtras;
    const jsm = await this.nc.jetstreamManager();
    const stream = streamOf(subject);
    const config = {
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.settings.ackWaitMs),
      max_deliver: this.settings.maxDeliver,
      max_ack_pending: this.settings.concurrency * 16,
    };
    const durable = extras.broadcast ? undefined : durableName(this.options.service, subject);
    if (durable) consumed.push({ jsm, stream, name: durable });
    let consumerName = '';
    const open = async () => {
      // A broadcast handler must see every event from now on: an ephemeral consumer of its own, a new one after each loss.
      // Named, so that its creation carries the filter subject (the only part of it a permission can bind).
      // On a cluster an ephemeral one is kept on one node unless told otherwise (durables follow the stream): replicate it like the stream.
      const info = durable
        ? await jsm.consumers.add(stream, { ...config, durable_name: durable, deliver_policy: DeliverPolicy.All })
        : await jsm.consumers.add(stream, {
            ...config,
            name: `${durableName(this.options.service, subject)}_${nuid.next()}`,
            deliver_policy: DeliverPolicy.New,
            inactive_threshold: nanos(60_000),
            num_replicas: (await jsm.streams.info(stream)).config.num_replicas,
          });
      consumerName = info.name;
      const consumer = await this.nc.jetstream().consumers.get(stream, consumerName);
      return { consumer, messages: await consumer.consume({ max_messages: this.settings.concurrency * 2, expires: PULL_EXPIRES_MS, abort_on_missing_resource: true }) };
    };
    const slots = new Semaphore(this.settings.concurrency);
    const dispatch = async (message: JsMsg) => {
      await slots.acquire();
      const work = this.handle(message, subject, consumerName, handler, extras).finally(() => {
        slots.release();
        this.inFlight.delete(work);
      });
      this.inFlight.add(work);
    };
    this.consumers.push(await superviseConsumer(`consumer:${subject}`, open, dispatch, this.options.logger));
  }

  private async handle(message: JsMsg, subject: string, consumerName: string, handler: MessageHandler, extras: HandlerExtras): Promise<void> {
    this.deliveredAt.set(message, Date.now());
    const stopTimer = handling.startTimer({ subject });
    try {
      const payload = extras.contract ? decodeEvent(extras.contract, message.data) : JSON.parse(message.string());
      const result = await handler(payload, new JetStreamContext([message]));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      message.ack();
      handled.inc({ subject, outcome: 'acked' });
      this.options.logger.info({ subject, correlation_id: correlationOf(message) }, 'event handled');
    } catch (error) {
      handled.inc({ subject, outcome: await this.settle(message, subject, consumerName, error) });
    } finally {
      this.deliveredAt.delete(message);
      stopTimer();
    }
  }

  private async settle(message: JsMsg, subject: string, consumerName: string, error: unknown): Promise<'retried' | 'dead_lettered'> {
    const deliveries = message.info.redeliveryCount;
    const reason = describeError(error);
    const permanent = error instanceof InvalidEventError || error instanceof SyntaxError || isDeadLetterError(error);
    if (permanent || deliveries >= this.settings.maxDeliver) {
      try {
        await this.deadLetter(message, subject, consumerName, reason);
        // No reason text: nats-server 2.9 takes only a bare +TERM (with a reason it ignores the term and redelivers).
        message.term();
        return 'dead_lettered';
      } catch (publishError) {
        // The dead letter could not be written: keep the message rather than lose it.
        this.options.logger.error({ subject, correlation_id: correlationOf(message), err: describeError(publishError) }, 'dead-letter publish failed; message will be redelivered');
        message.nak(this.retryDelay(deliveries));
        return 'retried';
      }
    }
    this.options.logger.warn({ subject, consumer: consumerName, deliveries, reason, correlation_id: correlationOf(message) }, 'handler failed; message will be redelivered');
    message.nak(this.retryDelay(deliveries));
    return 'retried';
  }

  private async deadLetter(message: JsMsg, subject: string, consumerName: string, reason: string): Promise<void> {
    const h = headers();
    h.set(DEAD_LETTER_HEADERS.stream, message.info.stream);
    h.set(DEAD_LETTER_HEADERS.sequence, String(message.seq));
    h.set(DEAD_LETTER_HEADERS.subject, subject);
    h.set(DEAD_LETTER_HEADERS.consumer, consumerName);
    h.set(DEAD_LETTER_HEADERS.deliveries, String(message.info.redeliveryCount));
    h.set(DEAD_LETTER_HEADERS.reason, reason.slice(0, 500));
    await this.nc.jetstream().publish(`${DEAD_LETTER_PREFIX}.${subject}`, deadLetterBody(message), {
      headers: h,
      msgID: `${message.info.stream}:${message.seq}:${consumerName}`,
    });
    this.options.logger.error({ subject, consumer: consumerName, stream_sequence: message.seq, reason, correlation_id: correlationOf(message) }, 'message dead-lettered');
  }

  private retryDelay(deliveries: number): number {
    return Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** Math.max(0, deliveries - 1));
  }

  private respond(subject: string, handler: MessageHandler): void {
    const subscription = this.nc.subscribe(subject, {
      queue: this.options.service,
      callback: (error, message) => {
        if (error) return this.options.logger.error({ subject, err: error.message }, 'request subscription failed');
        void this.reply(message, handler);
      },
    });
    this.subscriptions.push(subscription);
  }

  private async reply(message: Msg, handler: MessageHandler): Promise<void> {
    try {
      const { contract } = (handler.extras ?? {}) as RequestExtras;
      const request: unknown = message.json();
      const result = await handler(contract ? validateData(contract, request) : request, undefined);
      const response = await lastValueFrom(this.transformToObservable(result), { defaultValue: null });
      message.respond(Buffer.from(JSON.stringify({ ok: true, data: response })));
    } catch (error) {
      const reply: RequestReply<never> = { ok: false, error: describeError(error), fault: requestFault(error) };
      message.respond(Buffer.from(JSON.stringify(reply)));
    }
  }
}

/** A request that fails validation, is not JSON, or is refused by its responder is the caller's fault; anything else the service's. */
function requestFault(error: unknown): RequestFault {
  return error instanceof InvalidEventError || error instanceof SyntaxError || isRefusal(error) ? 'caller' : 'service';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Bounds the handlers running at once, so that a deep backlog does not become unbounded concurrency. */
class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private available: number) {}

  acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}

/** The correlation id our publishers put on every event (absent on one published by anything else). */
function correlationOf(message: JsMsg): string | undefined {
  return message.headers?.get(CORRELATION_HEADER) || undefined;
}
