import { encodeEvent, EventContract, EventEnvelope, newId } from '@inviaro/contracts';
import { CORRELATION_HEADER, NATS_CONNECTION, StreamPublisher } from '@inviaro/jetstream';
import { histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Inject, Injectable } from '@nestjs/common';
import { headers, NatsConnection } from 'nats';

const publishing = histogram('inviaro_publish_seconds', 'Time until the stream acknowledged a published event, by subject', ['subject'], LATENCY_BUCKETS);

export interface PublishMeta {
  correlationId: string;
  /** Give a deterministic id where the same logical event may be published twice; JetStream stores it once. */
  id?: string;
}

/** Publishes an event in its envelope, with its correlation id in a header, and resolves only once the stream has stored it (StreamPublisher). */
@Injectable()
export class EventPublisher {
  private readonly stream: StreamPublisher;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.stream = new StreamPublisher(nc);
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
    await this.stream.store(contract.subject, encodeEvent(envelope), { msgID: envelope.id, headers: h });
    stopTimer();
    return envelope;
  }
}
