import {
  ContactAnonymous,
  ContactAnonymousData,
  ContactFolded,
  ContactVerified,
  ContactVerifiedData,
  deterministicId,
  EventEnvelope,
  MessageStored,
  VisitorEventFields,
} from '@inviaro/contracts';
import { EventPublisher, OnEvent } from '@inviaro/bus';
import { histogram, SERVICE_LOGGER } from '@inviaro/observability';
import { Controller, Inject, OnModuleInit } from '@nestjs/common';
import { Logger } from 'pino';
import { AttributionInput } from './attribution/attribution-input';
import { ATTRIBUTION_BATCHING, Attributed, AttributionStore } from './attribution/attribution.store';
import { MicroBatcher, MicroBatcherOptions } from './attribution/micro-batcher';

const batchSizes = histogram('inviaro_attribution_batch_size', 'Events attributed per transaction', [], [1, 2, 4, 8, 16, 32, 64, 128, 256]);

/**
 * Puts each attributed widget event into the contact it belongs to, then tells the gateways.
 * Events that arrive together share a transaction (MicroBatcher), but for a visitor the store sets
 * aside (a fold), which has its own; each handler resolves — and the transport acknowledges its
 * event — only after the transaction that attributed it committed.
 */
@Controller()
export class AttributionHandler implements OnModuleInit {
  private batcher!: MicroBatcher<AttributionInput, Attributed>;

  constructor(
    private readonly store: AttributionStore,
    private readonly publisher: EventPublisher,
    @Inject(ATTRIBUTION_BATCHING) private readonly batching: MicroBatcherOptions,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.batcher = new MicroBatcher(
      (inputs) => this.store.attribute(inputs),
      // A visitor's events in order: a later one waits while an earlier one (its fold, say) is being attributed.
      { ...this.batching, keyOf: (input) => input.event.visitor_id },
      (size) => batchSizes.observe(size),
    );
  }

  @OnEvent(ContactAnonymous)
  async anonymous(event: EventEnvelope<ContactAnonymousData>): Promise<void> {
    await this.announce(event, await this.batcher.submit({ kind: 'anonymous', event: event.data }));
  }

  @OnEvent(ContactVerified)
  async verified(event: EventEnvelope<ContactVerifiedData>): Promise<void> {
    await this.announce(event, await this.batcher.submit({ kind: 'verified', event: event.data }));
  }

  /** After the commit: the folds this event stands for, and message.stored for a visitor's message (open widgets that may see it show it). */
  private async announce(event: EventEnvelope<VisitorEventFields>, stored: Attributed): Promise<void> {
    const { data } = event;
    if (stored === null) {
      // Its user or device was erased after it was received: nothing of it is stored, announced or logged but that it was dropped.
      this.logger.info({ correlation_id: event.correlation_id }, 'event of an erased contact dropped');
      return;
    }
    for (const fold of stored.folds) {
      this.logger.info(
        { correlation_id: event.correlation_id, visitor_id: data.visitor_id, from_contact_id: fold.fromContactId, into_contact_id: fold.intoContactId },
        'anonymous contact folded',
      );
      await this.publisher.publish(
        ContactFolded,
        {
          workspace_id: data.workspace_id,
          user_id: fold.userId,
          from_contact_id: fold.fromContactId,
          into_contact_id: fold.intoContactId,
          visitor_id: data.visitor_id,
        },
        // Once per (retired contact, verified contact): a redelivery, or another event of the same run, is the same fold.
        { id: deterministicId(ContactFolded.subject, fold.fromContactId, fold.intoContactId), correlationId: event.correlation_id },
      );
    }
    if (data.kind !== 'message') return;
    await this.publisher.publish(
      MessageStored,
      {
        message_id: data.message_id,
        workspace_id: data.workspace_id,
        widget_id: data.widget_id,
        contact_id: stored.contactId,
        conversation_id: stored.conversationId,
        visitor_id: data.visitor_id,
        user_id: stored.userId,
        author: 'visitor',
        text: data.text!,
        created_at: new Date(data.received_at).toISOString(),
      },
      { id: deterministicId(MessageStored.subject, data.message_id), correlationId: event.correlation_id },
    );
  }
}
