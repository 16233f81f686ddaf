import { MessageHandler } from '@nestjs/microservices';
import { AckPolicy, DeliverPolicy, JetStreamManager, JsMsg, NatsConnection, nanos, nuid } from 'nats';
import { counter, gauge, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Logger } from 'pino';
import { isObservable, lastValueFrom } from 'rxjs';
import { correlationOf } from './correlation';
import { JetStreamContext } from './jetstream.context';
import { Processing } from './processing-hooks';
import { EventHandlerExtras, JetStreamRouting } from './routing';
import { Semaphore } from './semaphore';
import { Settlement } from './settlement';
import { SupervisedConsumer, superviseConsumer } from './supervised-consumer';

export interface EventConsumerSettings {
  /** Names the durable consumers that this service's instances share. */
  service: string;
  logger: Logger;
  maxDeliver: number;
  ackWaitMs: number;
  /** Messages one instance handles at once, per subject. */
  concurrency: number;
  /** How long the server keeps a broadcast handler's own consumer while nobody pulls from it. */
  ownConsumerInactiveMs: number;
  /** Nest's processing hooks around each handler. */
  processing: Processing;
  routing: JetStreamRouting;
}

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

/**
 * How long one pull request waits on the server. When the node leading a consumer dies, the open pull dies
 * with it, and the client pulls again only after two missed heartbeats (half this each): the client's default
 * of 30 s would stall the consumer that long after a node failure; this bounds it to about 5 s.
 */
const PULL_EXPIRES_MS = 5_000;

/**
 * The event side of the transport: a supervised consume loop per subject on a durable pull
 * consumer (an ephemeral one for a broadcast handler), at most `concurrency` handlers at once,
 * each message acknowledged once its handler's promise resolves and settled by `Settlement` when it fails.
 */
export class EventConsumers {
  private readonly consumers: SupervisedConsumer[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** When each message in hand was delivered, for the keep-alive sweep. */
  private readonly deliveredAt = new Map<JsMsg, number>();
  private readonly settlement: Settlement;
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly nc: NatsConnection,
    private readonly settings: EventConsumerSettings,
  ) {
    this.settlement = new Settlement(nc, settings.logger, settings.maxDeliver, settings.routing);
  }

  /** A long handler keeps its message: tell the server it is still being worked on, so it is not redelivered. */
  startKeepAlive(): void {
    this.keepAlive = setInterval(() => this.extendSlowDeliveries(), this.settings.ackWaitMs / 2);
  }

  /** Takes no more messages. */
  stop(): void {
    for (const messages of this.consumers) messages.stop();
  }

  /** Resolves once the messages in hand have finished (and been settled). */
  async finish(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    clearInterval(this.keepAlive);
  }

  private extendSlowDeliveries(): void {
    const threshold = Date.now() - this.settings.ackWaitMs / 2;
    for (const [message, at] of this.deliveredAt) if (at < threshold) message.working();
  }

  async consume(subject: string, handler: MessageHandler): Promise<void> {
    const extras = (handler.extras ?? {}) as EventHandlerExtras;
    const jsm = await this.nc.jetstreamManager();
    const stream = this.settings.routing.streamOf(subject);
    const config = {
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.settings.ackWaitMs),
      max_deliver: this.settings.maxDeliver,
      max_ack_pending: this.settings.concurrency * 16,
    };
    const durable = extras.broadcast ? undefined : this.settings.routing.consumerName(this.settings.service, subject);
    if (durable) consumed.push({ jsm, stream, name: durable });
    let consumerName = '';
    /** A broadcast handler's place in the stream: the last event its consumers delivered (or the stream's end when the first was made). */
    let seenUpTo = 0;
    const open = async () => {
      // A broadcast handler must see every event from now on: an ephemeral consumer of its own, a new one after each loss,
      // resuming after the last event seen, so that a logout or rotation published while this instance was away (paused,
      // cut off, its consumer deleted by the server) still reaches it.
      // Named, so that its creation carries the filter subject (the only part of it a permission can bind).
      // On a cluster an ephemeral one is kept on one node unless told otherwise (durables follow the stream): replicate it like the stream.
      const info = durable
        ? await jsm.consumers.add(stream, { ...config, durable_name: durable, deliver_policy: DeliverPolicy.All })
        : await jsm.consumers.add(stream, {
            ...config,
            name: `${this.settings.routing.consumerName(this.settings.service, subject)}_${nuid.next()}`,
            ...(seenUpTo > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seenUpTo + 1 } : { deliver_policy: DeliverPolicy.New }),
            inactive_threshold: nanos(this.settings.ownConsumerInactiveMs),
            num_replicas: (await jsm.streams.info(stream)).config.num_replicas,
          });
      if (!durable) seenUpTo = Math.max(seenUpTo, info.delivered.stream_seq);
      consumerName = info.name;
      const consumer = await this.nc.jetstream().consumers.get(stream, consumerName);
      return {
        consumer,
        messages: await consumer.consume({ max_messages: this.settings.concurrency * 2, expires: PULL_EXPIRES_MS, abort_on_missing_resource: true }),
      };
    };
    const slots = new Semaphore(this.settings.concurrency);
    const dispatch = async (message: JsMsg) => {
      if (!durable) seenUpTo = Math.max(seenUpTo, message.seq);
      await slots.acquire();
      const work = this.handle(message, subject, consumerName, handler, extras).finally(() => {
        slots.release();
        this.inFlight.delete(work);
      });
      this.inFlight.add(work);
    };
    this.consumers.push(await superviseConsumer(`consumer:${subject}`, open, dispatch, this.settings.logger));
  }

  private async handle(message: JsMsg, subject: string, consumerName: string, handler: MessageHandler, extras: EventHandlerExtras): Promise<void> {
    this.deliveredAt.set(message, Date.now());
    const stopTimer = handling.startTimer({ subject });
    try {
      const payload: unknown = extras.decode ? extras.decode(message.data) : JSON.parse(message.string());
      const context = new JetStreamContext([message]);
      await this.settings.processing(context, async () => {
        const result: unknown = await handler(payload, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      });
      message.ack();
      handled.inc({ subject, outcome: 'acked' });
      this.settings.logger.info({ subject, correlation_id: correlationOf(message) }, 'event handled');
    } catch (error) {
      handled.inc({ subject, outcome: await this.settlement.failed(message, subject, consumerName, error) });
    } finally {
      this.deliveredAt.delete(message);
      stopTimer();
    }
  }
}
