import { JsMsg } from 'nats';

/** Carries the correlation id outside the payload, so a consumer can log it even for an event it cannot decode. */
export const CORRELATION_HEADER = 'Inviaro-Correlation-Id';

/** The correlation id our publishers put on every event (absent on one published by anything else). */
export function correlationOf(message: JsMsg): string | undefined {
  return message.headers?.get(CORRELATION_HEADER) || undefined;
}
