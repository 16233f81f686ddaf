import { headers, JsMsg, NatsConnection } from 'nats';
import { Logger } from 'pino';
import { correlationOf } from './correlation';
import { DEAD_LETTER_HEADERS, isDeadLetterError } from './dead-letter';
import { describeError } from './describe-error';
import { JetStreamRouting } from './routing';

const MAX_RETRY_DELAY_MS = 30_000;

export type FailedOutcome = 'retried' | 'dead_lettered';

/**
 * What becomes of a delivery whose handler failed: redelivered with exponential backoff, or, when
 * it is invalid or failed on its last delivery, copied to the dead-letter subject and terminated.
 */
export class Settlement {
  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    /** Deliveries before a message that keeps failing is dead-lettered. */
    private readonly maxDeliver: number,
    private readonly routing: JetStreamRouting,
  ) {}

  async failed(message: JsMsg, subject: string, consumerName: string, error: unknown): Promise<FailedOutcome> {
    const deliveries = message.info.redeliveryCount;
    const reason = describeError(error);
    const permanent = this.routing.isInvalidMessage(error) || error instanceof SyntaxError || isDeadLetterError(error);
    if (permanent || deliveries >= this.maxDeliver) {
      try {
        await this.deadLetter(message, subject, consumerName, reason);
        // No reason text: nats-server 2.9 takes only a bare +TERM (with a reason it ignores the term and redelivers).
        message.term();
        return 'dead_lettered';
      } catch (publishError) {
        // The dead letter could not be written: keep the message rather than lose it.
        this.logger.error(
          { subject, correlation_id: correlationOf(message), err: describeError(publishError) },
          'dead-letter publish failed; message will be redelivered',
        );
        message.nak(retryDelay(deliveries));
        return 'retried';
      }
    }
    this.logger.warn(
      { subject, consumer: consumerName, deliveries, reason, correlation_id: correlationOf(message) },
      'handler failed; message will be redelivered',
    );
    message.nak(retryDelay(deliveries));
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
    await this.nc.jetstream().publish(`${this.routing.deadLetterPrefix}.${subject}`, this.routing.deadLetterBody(message), {
      headers: h,
      msgID: `${message.info.stream}:${message.seq}:${consumerName}`,
    });
    this.logger.error(
      { subject, consumer: consumerName, stream_sequence: message.seq, reason, correlation_id: correlationOf(message) },
      'message dead-lettered',
    );
  }
}

function retryDelay(deliveries: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** Math.max(0, deliveries - 1));
}
