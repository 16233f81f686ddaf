import {
  admits,
  ClaimKind,
  ContactErased,
  ContactErasedData,
  decodeEvent,
  erasedUserDigest,
  EventEnvelope,
  MessageStored,
  MessageStoredData,
  StoredMessage,
  userKey,
  VisitorLoggedOut,
  VisitorLoggedOutData,
  WidgetSecretRotated,
  WidgetSecretRotatedData,
} from '@inviaro/contracts';
import { EVENT_STREAM, OnEvent } from '@inviaro/bus';
import { NATS_CONNECTION, SupervisedConsumer, superviseConsumer } from '@inviaro/jetstream';
import { gauge, SERVICE_LOGGER } from '@inviaro/observability';
import { SecretCache, WidgetMarks } from '@inviaro/widget-secrets';
import { BeforeApplicationShutdown, Controller, Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DeliverPolicy, JsMsg, NatsConnection } from 'nats';
import { Logger } from 'pino';
import { ApiError, unavailable } from '../http/api-error';
import { LIVE_LIMITS, LiveLimits } from './live-limits';
import { InboundBacklog } from '../http/inbound-backlog';

/** What an open widget may see: its visitor's anonymous messages, or, when its claim verified, the user's. */
export interface LiveView {
  widgetId: string;
  workspaceId: string;
  visitorId: string;
  /** The page's origin: the stream ends once the widget no longer allows it (or is deleted). */
  origin: string;
  /** The client's address as its budgets count it (an IPv6 address by its /64): what the per-address cap counts. */
  clientAddress: string;
  userId?: string;
  /** With a user: the widget secret version the claim verified under; the stream ends once the widget's oldest live version is above it. */
  secretVersion?: number;
  /** With a user: the claim field that verified; the stream ends once the widget's identity policy no longer admits it. */
  verifiedBy?: ClaimKind;
  /** With a user verified by a user_jwt: when the token stops verifying (ms since the epoch); the stream ends then. */
  verifiedUntil?: number;
}

export interface Listener {
  view: LiveView;
  deliver(message: StoredMessage): void;
  close(): void;
}

/** Seconds a 429 `too_many_streams` asks the client to wait: a slot frees when one of its streams closes, which nothing here can foretell. */
const STREAM_SLOT_RETRY_AFTER_SECONDS = 10;

/** How often the verified streams are checked against their widget's marks and their token's expiry, with or without traffic. */
const REVOCATION_SWEEP_MS = 5_000;

let openStreams = 0;
gauge('inviaro_live_streams', 'Live widget streams open on this instance', [], (streams) => streams.set(openStreams));

/** Who a stored message is for, read before the event is validated. */
type Addressee = Pick<MessageStoredData, 'workspace_id' | 'visitor_id' | 'user_id'>;

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
 *
 * A stream delivers only while its widget still allows its origin (a deleted widget allows none), and
 * a verified one only while its claim would still verify: its widget's secret version
 * is still the one it verified under, its widget's identity policy still admits the claim's kind,
 * and its token (a user_jwt) has not expired. Checked at delivery and every few seconds, against
 * the marks in Redis that every change sets before it commits: so a `widget.secret.rotated` this
 * instance missed (a partition) cannot keep it open, nor can a policy change, which has no event.
 */
@Injectable()
export class LiveUpdates implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly listeners = new Set<Listener>();
  private readonly byVisitor = new Index<Listener>();
  private readonly byAddress = new Index<Listener>();
  private readonly byUser = new Index<Listener>();
  private consumer?: SupervisedConsumer;
  private sweep?: NodeJS.Timeout;
  /** The stream sequence of the last message.stored seen, so that a recreated consumer resumes after it. */
  private lastSequence = 0;
  private stopping = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(LIVE_LIMITS) readonly limits: LiveLimits,
    private readonly secrets: SecretCache,
    private readonly backlog: InboundBacklog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const open = async () => {
      const consumer = await this.nc.jetstream().consumers.get(EVENT_STREAM, {
        filterSubjects: MessageStored.subject,
        ...(this.lastSequence > 0
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSequence + 1 }
          : { deliver_policy: DeliverPolicy.New }),
        inactive_threshold: this.limits.consumerInactiveMs,
      });
      return { consumer, messages: await consumer.consume() };
    };
    this.consumer = await superviseConsumer('consumer:live-updates', open, (message) => this.receive(message), this.logger);
    this.sweep = setInterval(() => void this.endRevoked([...this.listeners]), REVOCATION_SWEEP_MS);
  }

  /**
   * A stopping instance ends its streams cleanly, as a lifetime does (their widgets reconnect,
   * to another instance), and opens no more: the HTTP server's close waits for every open response.
   */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    this.closeWhere(() => true);
  }

  onApplicationShutdown(): void {
    this.consumer?.stop();
    clearInterval(this.sweep);
  }

  /**
   * Returns the unsubscribe function; 429 past the streams one visitor, or one client address, may
   * hold here (new visitors are cheap: the visitor cap alone would let one address hold any number).
   */
  open(listener: Listener): () => void {
    const { view } = listener;
    if (this.stopping) throw unavailable('stream_unavailable', 'this server is stopping; open the stream again');
    if ((this.byVisitor.get(view.visitorId)?.size ?? 0) >= this.limits.streamsPerVisitor) {
      throw tooManyStreams(`this visitor already has ${this.limits.streamsPerVisitor} live streams open; close one first`);
    }
    this.assertRoomFor(view.clientAddress);
    this.listeners.add(listener);
    this.byVisitor.add(view.visitorId, listener);
    this.byAddress.add(view.clientAddress, listener);
    if (view.userId !== undefined) this.byUser.add(userKey(view.workspaceId, view.userId), listener);
    openStreams = this.listeners.size;
    return () => this.remove(listener);
  }

  /** 429 when the client's address holds all the streams it may here: asked before a stream's token and claim are checked (they cost a query and a request), and again as it opens. */
  assertRoomFor(clientAddress: string): void {
    if ((this.byAddress.get(clientAddress)?.size ?? 0) >= this.limits.streamsPerAddress) {
      throw tooManyStreams(`this address already has ${this.limits.streamsPerAddress} live streams open; close one first`);
    }
  }

  /**
   * Checks a listener again once it is in place, and ends it unless its visitor is still logged in
   * and its claim still verifies. A logout, rotation or policy change answered while the stream was
   * being set up (its token and claim checked) found no listener to end; one answered from now on
   * finds this one. Resolves whether the stream may deliver; until then its deliveries are held.
   */
  async confirm(listener: Listener, visitorLoggedIn: () => Promise<boolean>): Promise<boolean> {
    const [loggedIn, [unrevoked]] = await Promise.all([visitorLoggedIn().catch(() => false), this.endRevoked([listener])]);
    if (!this.listeners.has(listener)) return false;
    if (loggedIn && unrevoked) return true;
    this.end(listener);
    return false;
  }

  /** Verified streams of a widget whose secret they verified under stopped verifying, and a visitor's streams on logout, end: the widget reconnects and is checked again. */
  closeWhere(matches: (view: LiveView) => boolean): void {
    for (const listener of [...this.listeners]) {
      if (matches(listener.view)) this.end(listener);
    }
  }

  private end(listener: Listener): void {
    this.remove(listener);
    listener.close();
  }

  private remove(listener: Listener): void {
    this.listeners.delete(listener);
    this.byVisitor.delete(listener.view.visitorId, listener);
    this.byAddress.delete(listener.view.clientAddress, listener);
    if (listener.view.userId !== undefined) this.byUser.delete(userKey(listener.view.workspaceId, listener.view.userId), listener);
    openStreams = this.listeners.size;
  }

  private async receive(stored: JsMsg): Promise<void> {
    this.lastSequence = stored.seq;
    this.backlog.stored(stored.headers?.get('Nats-Msg-Id'));
    if (this.listeners.size === 0) return;
    try {
      const { data } = stored.json<{ data?: Addressee }>();
      const audience = data && this.audience(data);
      if (!audience) return;
      // Validated like every consumed event, once a stream here is to see it.
      const message = decodeEvent(MessageStored, stored.data).data;
      const delivered: StoredMessage = { message_id: message.message_id, author: message.author, text: message.text, created_at: message.created_at };
      // The version check's round trip is in this consumer's loop, so deliveries keep their order.
      const current = await this.endRevoked([...audience]);
      for (const listener of current) listener.deliver(delivered);
    } catch (error) {
      this.logger.warn({ subject: MessageStored.subject, err: error instanceof Error ? error.message : String(error) }, 'message.stored not routed');
    }
  }

  /**
   * Ends the streams among `listeners` whose widget no longer allows their origin (or was deleted), and the
   * verified ones whose claim would no longer verify, and returns the others. Fails closed for verified
   * streams: when the marks cannot be read, every verified one ends (its widget reconnects and is checked again).
   */
  private async endRevoked(listeners: Listener[]): Promise<Listener[]> {
    if (listeners.length === 0) return listeners;
    const widgetIds = [...new Set(listeners.map(({ view }) => view.widgetId))];
    const marks = await this.secrets.marks(widgetIds).then(
      (marked) => new Map(widgetIds.map((id, i) => [id, marked[i]])),
      () => new Map<string, WidgetMarks | undefined>(),
    );
    const now = Date.now();
    const revoked = new Set(listeners.filter(({ view }) => !stillAllowed(view, marks.get(view.widgetId), now)));
    for (const listener of revoked) if (this.listeners.has(listener)) this.end(listener);
    return listeners.filter((listener) => !revoked.has(listener));
  }

  /** A verified user's message goes to that user's verified streams; an anonymous one to its visitor's streams. */
  private audience(message: Addressee): Set<Listener> | undefined {
    return message.user_id ? this.byUser.get(userKey(message.workspace_id, message.user_id)) : this.byVisitor.get(message.visitor_id);
  }
}

function tooManyStreams(message: string): ApiError {
  return new ApiError(429, 'too_many_streams', message, STREAM_SLOT_RETRY_AFTER_SECONDS);
}

/** May the stream go on, given its widget's marks: its origin still allowed, and, if verified, its claim still verifying (no marks: unknown, so no)? */
function stillAllowed(view: LiveView, marks: WidgetMarks | undefined, now: number): boolean {
  if (marks?.origins && !marks.origins.includes(view.origin)) return false;
  if (view.secretVersion === undefined) return true;
  if (!marks || marks.liveFrom > view.secretVersion) return false;
  if (marks.policy && !admits(marks.policy, view.verifiedBy ?? 'user_hash')) return false;
  return view.verifiedUntil === undefined || view.verifiedUntil > now;
}

@Controller()
export class LiveUpdatesHandler {
  constructor(private readonly live: LiveUpdates) {}

  @OnEvent(WidgetSecretRotated, { broadcast: true })
  rotated(event: EventEnvelope<WidgetSecretRotatedData>): void {
    // A retire leaves the streams of the staged secret (now the only one) open; a rotate ends every verified one.
    this.live.closeWhere(
      (view) => view.widgetId === event.data.widget_id && view.secretVersion !== undefined && view.secretVersion < event.data.secret_version,
    );
  }

  /** A logout through any gateway instance ends the visitor's streams on this one. */
  @OnEvent(VisitorLoggedOut, { broadcast: true })
  loggedOut(event: EventEnvelope<VisitorLoggedOutData>): void {
    this.live.closeWhere((view) => view.visitorId === event.data.visitor_id);
  }

  /** An erasure through any gateway ends the erased user's streams and its devices' on this one (docs/security.md#erasure): their history is gone. */
  @OnEvent(ContactErased, { broadcast: true })
  erased(event: EventEnvelope<ContactErasedData>): void {
    const { workspace_id, user_digest, visitor_ids } = event.data;
    const devices = new Set(visitor_ids);
    this.live.closeWhere(
      (view) =>
        devices.has(view.visitorId) ||
        (user_digest !== undefined &&
          view.workspaceId === workspace_id &&
          view.userId !== undefined &&
          erasedUserDigest(workspace_id, view.userId) === user_digest),
    );
  }
}
