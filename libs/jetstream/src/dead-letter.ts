import { RpcException } from '@nestjs/microservices';
import { JsMsg } from 'nats';
import { INBOUND_STREAM } from './topology';

/**
 * Headers of a dead letter: where the failed message was and why it failed. The message itself
 * stays in its stream, except for INVIARO_INBOUND (see deadLetterBody).
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

/**
 * The body of a dead letter. INVIARO_INBOUND is a work queue: a settled message is deleted, so the
 * dead letter carries the event itself, without its sealed claim (no credential outlives its check,
 * and a re-driven event goes on anonymous). Every other original stays in its stream: no body.
 * An inbound message that is not a JSON envelope can never be handled: nothing worth keeping.
 */
export function deadLetterBody(message: Pick<JsMsg, 'data'> & { info: Pick<JsMsg['info'], 'stream'> }): Uint8Array {
  if (message.info.stream !== INBOUND_STREAM) return new Uint8Array(0);
  try {
    const envelope: unknown = JSON.parse(Buffer.from(message.data).toString('utf8'));
    const data = (envelope as { data?: unknown } | null)?.data;
    if (typeof data !== 'object' || data === null) return new Uint8Array(0);
    // `claim`: an event of schema 1, from before claims were sealed.
    const { sealed_claim: _sealed, claim: _plain, ...rest } = data as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...(envelope as object), data: rest }));
  } catch {
    return new Uint8Array(0);
  }
}
