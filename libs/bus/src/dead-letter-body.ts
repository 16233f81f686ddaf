import { JsMsg } from 'nats';
import { INBOUND_STREAM } from './topology';

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
