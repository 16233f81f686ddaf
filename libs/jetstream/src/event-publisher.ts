import { encodeEvent, EventContract, EventEnvelope, newId } from '@inviaro/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, Events, headers, JetStreamClient, JetStreamPublishOptions, JsMsg, NatsConnection, NatsError, PubAck } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** Carries the correlation id outside the payload, so a consumer can log it even for an event it cannot decode. */
export const CORRELATION_HEADER = 'Inviaro-Correlation-Id';

/** The correlation id our publishers put on every event (absent on one published by anything else). */
export function correlationOf(message: JsMsg): string | undefined {
  return message.headers?.get(CORRELATION_HEADER) || undefined;
}

const publishing = histogram('inviaro_publish_seconds', 'Time until the stream acknowledged a published event, by subject', ['subject'], LATENCY_BUCKETS);
const resent = counter('inviaro_publish_resends_total', 'Publishes sent again with the same id, by subject and why: reconnect (the connection moved to another node), unanswered (no acknowledgement in time), no_leader (no stream leader answered)', ['subject', 'reason']);

/** How long a publish keeps trying before its caller hears that the stream could not store it. */
const PUBLISH_DEADLINE_MS = 5_000;
/** How long one attempt waits for its acknowledgement: a stream leader that died with it unanswered is replaced within a few seconds. */
const ATTEMPT_MS = 2_000;
/** The pause before asking again when no stream leader answered (an election is under way). */
const NO_LEADER_PAUSE_MS = 250;

export interface PublishMeta {
  correlationId: string;
  /** Give a deterministic id where the same logical event may be published twice; JetStream stores it once. */
  id?: string;
}

/**
 * Publishes an event and resolves only once the stream has stored it.
 *
 * A publish, or its acknowledgement, dies with the socket of a NATS node that dies (kill -9 of a
 * cluster node), and nats.js drops what it had buffered for that socket when it reconnects: the
 * caller would wait out the whole timeout to hear of a failure the stream never had. So a publish
 * still unanswered when the connection comes back, or after an attempt's time, or refused for want
 * of a stream leader, is sent again with the same message id until PUBLISH_DEADLINE_MS: the
 * stream's duplicate window stores it once and acknowledges the second copy as a duplicate.
 */
@Injectable()
export class EventPublisher {
  private readonly js: JetStreamClient;
  /** Wakes each attempt in flight when the connection comes back (and so is held only while it is in flight). */
  private readonly inFlight = new Set<() => void>();

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.js = nc.jetstream();
    this.followReconnects(nc).catch(() => undefined);
  }

  async publish<T extends object>(contract: EventContract<T>, data: T, meta: PublishMeta): Promise<EventEnvelope<T>> {
    const envelope: EventEnvelope<T> = {
      id: meta.id ?? newId(),
      subject: contract.subject,
      schema_version: contract.schemaVersion,
      correlation_id: meta.correlationId,
      occurred_at: new Date().toISOString(),
      data,
    };
    const stopTimer = publishing.startTimer({ subject: contract.subject });
    const h = headers();
    h.set(CORRELATION_HEADER, meta.correlationId);
    await this.store(contract.subject, encodeEvent(envelope), { msgID: envelope.id, headers: h });
    stopTimer();
    return envelope;
  }

  private async store(subject: string, payload: Uint8Array, options: Partial<JetStreamPublishOptions> & { msgID: string }): Promise<PubAck> {
    const deadline = Date.now() + PUBLISH_DEADLINE_MS;
    for (;;) {
      const attempt = this.js.publish(subject, payload, { ...options, timeout: Math.min(ATTEMPT_MS, Math.max(1, deadline - Date.now())) });
      const outcome = await new Promise<{ ack: PubAck } | { error: unknown } | { reconnected: true }>((settle) => {
        const wake = () => settle({ reconnected: true });
        this.inFlight.add(wake);
        attempt.then(
          (ack) => settle({ ack }),
          (error: unknown) => settle({ error }),
        ).finally(() => this.inFlight.delete(wake));
      });
      if ('ack' in outcome) return outcome.ack;
      const reason = 'reconnected' in outcome ? 'reconnect' : resendReason(outcome.error);
      if (!reason || Date.now() >= deadline) {
        if ('error' in outcome) throw outcome.error;
        // The connection came back as time ran out: this attempt's own answer is the last word.
        return attempt;
      }
      // An attempt given up on may still be answered or time out; either is of no interest now.
      if (reason === 'reconnect') attempt.catch(() => undefined);
      if (reason === 'no_leader') await new Promise((resolve) => setTimeout(resolve, NO_LEADER_PAUSE_MS));
      resent.inc({ subject, reason });
    }
  }

  private async followReconnects(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type !== Events.Reconnect) continue;
      for (const wake of this.inFlight) wake();
    }
  }
}

/** Why a failed attempt is worth another with the same id, if it is. */
function resendReason(error: unknown): 'unanswered' | 'no_leader' | undefined {
  const code = (error as Partial<NatsError> | undefined)?.code;
  if (code === ErrorCode.Timeout) return 'unanswered';
  if (code === ErrorCode.NoResponders) return 'no_leader';
  return undefined;
}
