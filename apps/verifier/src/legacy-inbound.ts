import { CORRELATION_HEADER, EVENT_STREAM, isJetStreamError, JetStreamErrorCode, NATS_CONNECTION } from '@inviaro/jetstream';
import { MessageInbound } from '@inviaro/contracts';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { ClaimKeys } from '@inviaro/persistence';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { headers, MsgRequest, NatsConnection, StoredMsg } from 'nats';
import { Logger } from 'pino';

/** The verifier's durable consumer of message.inbound when the subject was part of INVIARO_EVENTS. */
const LEGACY_CONSUMER = 'verifier_message_inbound';

/**
 * Upgrades a deployment from before INVIARO_INBOUND, once, at the verifier's start: the
 * message.inbound events that INVIARO_EVENTS still holds and the old consumer had not yet
 * acknowledged move to INVIARO_INBOUND (their plaintext claim sealed, as schema 2), then the old
 * consumer goes and INVIARO_EVENTS is purged of message.inbound (the hashes it held). Only the
 * verifier can do it: it holds the claim keys. Safe to repeat and to run in two instances at
 * once (each event keeps its id, the stream's duplicate window stores it once; the handlers are idempotent).
 */
@Injectable()
export class LegacyInboundMigration implements OnApplicationBootstrap {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly claimKeys: ClaimKeys,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const jsm = await this.nc.jetstreamManager();
    const legacy = await jsm.consumers.info(EVENT_STREAM, LEGACY_CONSUMER).catch(ignoreNotFound);
    const stored = (await jsm.streams.info(EVENT_STREAM, { subjects_filter: MessageInbound.subject })).state.subjects?.[MessageInbound.subject] ?? 0;
    if (!legacy && stored === 0) return;
    // Everything after the ack floor may still be unhandled (a few handled ones are handled again: idempotent).
    let seq = (legacy?.ack_floor.stream_seq ?? 0) + 1;
    let moved = 0;
    for (;;) {
      const message = await jsm.streams.getMessage(EVENT_STREAM, { seq, next_by_subj: MessageInbound.subject } as unknown as MsgRequest).catch((error: unknown) => {
        if (isJetStreamError(error, JetStreamErrorCode.NoMessageFound)) return undefined;
        throw error;
      });
      if (!message) break;
      await this.moveOne(message);
      moved++;
      seq = message.seq + 1;
    }
    if (legacy) await jsm.consumers.delete(EVENT_STREAM, LEGACY_CONSUMER).catch(ignoreNotFound);
    const { purged } = await jsm.streams.purge(EVENT_STREAM, { filter: MessageInbound.subject });
    this.logger.info({ moved, purged, from: EVENT_STREAM }, 'legacy message.inbound events moved to their own stream');
  }

  private async moveOne(message: StoredMsg): Promise<void> {
    const h = headers();
    const correlation = message.header?.get(CORRELATION_HEADER);
    if (correlation) h.set(CORRELATION_HEADER, correlation);
    let envelope: { id?: unknown; schema_version?: unknown; data?: Record<string, unknown> };
    try {
      envelope = JSON.parse(Buffer.from(message.data).toString('utf8')) as typeof envelope;
    } catch {
      // Never handleable: moved as it is, so that it dead-letters there as it would have here.
      await this.nc.jetstream().publish(MessageInbound.subject, message.data, { headers: h, msgID: `legacy:${message.seq}` });
      return;
    }
    const id = typeof envelope.id === 'string' ? envelope.id : `legacy:${message.seq}`;
    const data = envelope.data;
    if (envelope.schema_version === 1 && typeof data === 'object' && data !== null) {
      const { claim, ...rest } = data;
      const binding = { eventId: id, widgetId: String(rest.widget_id), visitorId: String(rest.visitor_id) };
      const sealed = this.claimKeys.seal(typeof claim === 'object' && claim !== null ? claim : null, binding);
      envelope = { ...envelope, schema_version: MessageInbound.schemaVersion, data: { ...rest, sealed_claim: sealed } };
    }
    await this.nc.jetstream().publish(MessageInbound.subject, Buffer.from(JSON.stringify(envelope)), { headers: h, msgID: id });
  }
}

function ignoreNotFound(error: unknown): undefined {
  if (isJetStreamError(error, JetStreamErrorCode.ConsumerNotFound, JetStreamErrorCode.StreamNotFound)) return undefined;
  throw error;
}
