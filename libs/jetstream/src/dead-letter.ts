import { RpcException } from '@nestjs/microservices';

/**
 * Headers of a dead letter: where the failed message was and why it failed (its body is the
 * routing's deadLetterBody).
 */
export const DEAD_LETTER_HEADERS = {
  stream: 'Inviaro-Stream',
  sequence: 'Inviaro-Stream-Sequence',
  subject: 'Inviaro-Subject',
  consumer: 'Inviaro-Consumer',
  deliveries: 'Inviaro-Deliveries',
  reason: 'Inviaro-Reason',
} as const;

/**
 * Thrown by a handler for a message that can never succeed however often it is redelivered:
 * it goes to the dead-letter subject at once instead of being retried.
 */
export class DeadLetter extends RpcException {
  constructor(reason: string) {
    super({ deadLetter: true, message: reason });
  }
}

export function isDeadLetterError(error: unknown): error is { deadLetter: true; message: string } {
  return typeof error === 'object' && error !== null && (error as { deadLetter?: unknown }).deadLetter === true;
}
