import { decodeEvent, EventEnvelope, HistoryMessage, MessageStored, MessageStoredData, WidgetSecretRotated, WidgetSecretRotatedData } from '@inviaro/contracts';
import { EVENT_STREAM, NATS_CONNECTION, OnEvent } from '@inviaro/jetstream';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { Controller, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConsumerMessages, DeliverPolicy, JsMsg, NatsConnection } from 'nats';
import { Logger } from 'pino';

/** What an open widget may see: its visitor's anonymous messages, or, when its claim verified, the user's. */
export interface LiveView {
  widgetId: string;
  workspaceId: string;
  visitorId: string;
  userId?: string;
}

interface Listener {
  view: LiveView;
  deliver(message: HistoryMessage): void;
  close(): void;
}

/** Who a stored message is for, read before the event is validated. */
type Addressee = Pick<MessageStoredData, 'workspace_id' | 'visitor_id' | 'user_id'>;

const userKey = (workspaceId: string, userId: string) => `${workspaceId}\u0000${userId}`;

/** A map of sets that drops a key with its last member. */
class Index<T> {
  private readonly sets = new Map<string, Set<T>>();

  get(key: string | undefined): Set<T> | undefined {
    return key === undefined ? undefined : this.sets.get(key);
  }

  add(key: string, value: T): void {
    const set = this.sets.get(key);
    if (set) set.add(value);
    else this.sets.set(key, new Set([value]));
  }

  delete(key: string, value: T): void {
    const set = this.sets.get(key);
    if (set?.delete(value) && set.size === 0) this.sets.delete(key);
  }
}

/**
 * The open widget streams of this gateway instance, and the routing of stored messages to them.
 * Every instance follows every message.stored on an ordered consumer of its own (no
 * acknowledgements; it resumes where it was after a reconnect), and drops a message that no
 * stream here may see before validating it, or even parsing it when no stream is open: most
 * messages are for widgets connected to other instances, or to none.
 */
@Injectable()
export class LiveUpdates implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listeners = new Set<Listener>();
  private readonly byVisitor = new Index<Listener>();
  private readonly byUser = new Index<Listener>();
  private messages?: ConsumerMessages;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = await this.nc.jetstream().consumers.get(EVENT_STREAM, {
      filterSubjects: MessageStored.subject,
      deliver_policy: DeliverPolicy.New,
      inactive_threshold: 60_000,
    });
    const messages = await consumer.consume();
    this.messages = messages;
    void (async () => {
      for await (const message of messages) this.receive(message);
    })();
  }

  onApplicationShutdown(): void {
    this.messages?.stop();
  }

  /** Returns the unsubscribe function. */
  open(view: LiveView, deliver: Listener['deliver'], close: Listener['close']): () => void {
    const listener = { view, deliver, close };
    this.listeners.add(listener);
    this.byVisitor.add(view.visitorId, listener);
    if (view.userId !== undefined) this.byUser.add(userKey(view.workspaceId, view.userId), listener);
    return () => this.remove(listener);
  }

  /** Verified streams of a widget whose secret rotated, and a visitor's streams on logout, end: the widget reconnects and is checked again. */
  closeWhere(matches: (view: LiveView) => boolean): void {
    for (const listener of [...this.listeners]) {
      if (!matches(listener.view)) continue;
      this.remove(listener);
      listener.close();
    }
  }

  private remove(listener: Listener): void {
    this.listeners.delete(listener);
    this.byVisitor.delete(listener.view.visitorId, listener);
    if (listener.view.userId !== undefined) this.byUser.delete(userKey(listener.view.workspaceId, listener.view.userId), listener);
  }

  private receive(stored: JsMsg): void {
    if (this.listeners.size === 0) return;
    try {
      const { data } = stored.json<{ data?: Addressee }>();
      const audience = data && this.audience(data);
      if (!audience) return;
      // Validated like every consumed event, once a stream here is to see it.
      const message = decodeEvent(MessageStored, stored.data).data;
      const delivered: HistoryMessage = { message_id: message.message_id, author: message.author, text: message.text, created_at: message.created_at };
      for (const { deliver } of audience) deliver(delivered);
    } catch (error) {
      this.logger.warn({ subject: MessageStored.subject, err: error instanceof Error ? error.message : String(error) }, 'message.stored not routed');
    }
  }

  /** A verified user's message goes to that user's verified streams; an anonymous one to its visitor's streams. */
  private audience(message: Addressee): Set<Listener> | undefined {
    return message.user_id ? this.byUser.get(userKey(message.workspace_id, message.user_id)) : this.byVisitor.get(message.visitor_id);
  }
}

@Controller()
export class LiveUpdatesHandler {
  constructor(private readonly live: LiveUpdates) {}

  @OnEvent(WidgetSecretRotated, { broadcast: true })
  rotated(event: EventEnvelope<WidgetSecretRotatedData>): void {
    this.live.closeWhere((view) => view.widgetId === event.data.widget_id && view.userId !== undefined);
  }
}
