import { GatewayConfig } from '@inviaro/config';
import { deterministicId, MessageStored } from '@inviaro/contracts';
import { gauge } from '@inviaro/observability';
import { DynamicModule, Module } from '@nestjs/common';
import { unavailable } from './api-error';

/** A message dead-lettered, or whose message.stored this instance missed (a consumer reset), stops counting after this. */
const FORGET_AFTER_MS = 10 * 60 * 1000;

let awaitingStored = 0;
gauge('inviaro_gateway_inbound_backlog', 'Messages this instance accepted (202) and has not yet seen stored', [], (backlog) => backlog.set(awaitingStored));

/**
 * The bound on the backlog (docs/operations.md#bounded-backlog): the messages this instance accepted
 * and has not yet seen stored. When the system accepts faster than it stores, the backlog stops at
 * `limit` and the widget calls that add to it answer 503 `backlog_full` with Retry-After, instead of
 * letting POST-to-stored latency grow to minutes unseen. Counted from what the instance sees anyway
 * (its 202s and the message.stored it follows for live delivery): no read per request.
 */
export class InboundBacklog {
  /** The de-duplication id of each awaited message.stored, and when its message was accepted; oldest first. */
  private readonly awaiting = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Throws the 503 when `limit` accepted messages are not yet stored. */
  admit(): void {
    this.forgetStale();
    if (this.awaiting.size >= this.limit) {
      throw unavailable('backlog_full', 'messages are arriving faster than they can be stored; try again');
    }
  }

  /** A message answered 202. */
  accepted(messageId: string): void {
    const id = deterministicId(MessageStored.subject, messageId);
    // Delete first: a retried message goes to the end, keeping the map in acceptance order.
    this.awaiting.delete(id);
    this.awaiting.set(id, Date.now());
    awaitingStored = this.awaiting.size;
  }

  /** A message.stored seen, by its de-duplication id (Nats-Msg-Id): read from the header, the event is not parsed for this. */
  stored(storedEventId: string | undefined): void {
    if (storedEventId !== undefined && this.awaiting.delete(storedEventId)) awaitingStored = this.awaiting.size;
  }

  private forgetStale(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [id, at] of this.awaiting) {
      if (at >= cutoff) break;
      this.awaiting.delete(id);
    }
    awaitingStored = this.awaiting.size;
  }
}

@Module({})
export class InboundBacklogModule {
  static register(config: GatewayConfig): DynamicModule {
    const backlog = new InboundBacklog(config.INBOUND_BACKLOG_LIMIT);
    return { module: InboundBacklogModule, global: true, providers: [{ provide: InboundBacklog, useValue: backlog }], exports: [InboundBacklog] };
  }
}
