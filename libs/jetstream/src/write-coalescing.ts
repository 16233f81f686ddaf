import { encode } from 'nats/lib/nats-base-client/encoders';
import { ProtocolHandler } from 'nats/lib/nats-base-client/protocol';

/** flushPending is private in the typings: the one call this needs, made visible. */
const flushPending = (handler: ProtocolHandler): void => (handler as unknown as { flushPending(): void }).flushPending();

/**
 * nats.js buffers outgoing commands and writes the buffer to the socket in a microtask after the
 * first one. Each handler, though, gets to its publish or ack in its own chain of microtasks (after
 * a Redis reply, after a stream's acknowledgement), mostly after that flush: every publish and every
 * ack was its own socket write, a quarter of a verifier's CPU. Flushing once the event loop's turn is
 * over instead sends everything this turn's handlers produced in one write, a few microseconds later.
 * The order of the commands, a close (it writes what is queued first), the flush when the buffer outgrows its limit, `flush()` (a PING that
 * writes the buffer at once) and every acknowledgement's await stay as they were: a publish still
 * resolves only once the stream has stored it, and an ack is still written after it.
 *
 * Replaces `ProtocolHandler.sendCommand` of the installed nats.js 2.x (this is its body with the
 * flush deferred): test/bus/write-coalescing.test.ts checks it against the installed version.
 */
const coalescing = Symbol('inviaro.coalescing');

export function coalesceNatsWrites(): void {
  if (coalescing in ProtocolHandler.prototype) return;
  Object.defineProperty(ProtocolHandler.prototype, coalescing, { value: true });
  ProtocolHandler.prototype.sendCommand = function (this: ProtocolHandler, cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
    const queued = this.outbound.length();
    this.outbound.fill(typeof cmd === 'string' ? encode(cmd) : cmd, ...payloads);
    if (queued === 0) setImmediate(() => flushPending(this));
    else if (this.outbound.size() >= this.pendingLimit) flushPending(this);
  };
  // What was sent before a close is written before it, as the microtask flush did.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its own `this` below
  const close = ProtocolHandler.prototype.close;
  ProtocolHandler.prototype.close = function (this: ProtocolHandler): Promise<void> {
    flushPending(this);
    return close.call(this);
  };
}
