import { encodeEvent, EventContract, EventEnvelope, newId } from '@inviaro/contracts';
import { histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Inject, Injectable } from '@nestjs/common';
import { headers, JetStreamClient, JsMsg, NatsConnection } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** Carries the correlation id outside the payload, so a consumer can log it even for an event it cannot decode. */
export const CORRELATION_HEADER = 'Inviaro-Correlation-Id';

/** The correlation id our publishers put on every event (absent on one published by anything else). */
export function correlationOf(message: JsMsg): string | undefined {
  return message.headers?.get(CORRELATION_HEADER) || undefined;
}

const publishing = histogram('inviaro_publish_seconds', 'Time until the stream acknowledged a published event, by subject', ['subject'], LATENCY_BUCKETS);

export interface PublishMeta {
  correlationId: string;
  /** Give a deterministic id where the same logical event may be published twice; JetStream stores it once. */
  id?: string;
}

/** Publishes an event and resolves only once the stream has stored it. */
@Injectable()
export class EventPublisher {
  private readonly js: JetStreamClient;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.js = nc.jetstream();
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
    await this.js.publish(contract.subject, encodeEvent(envelope), { msgID: envelope.id, headers: h });
    stopTimer();
    return envelope;
  }
}
