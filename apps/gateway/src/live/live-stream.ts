import { StoredMessage } from '@inviaro/contracts';
import { gauge } from '@inviaro/observability';
import { Response } from 'express';
import { Listener, LiveUpdates, LiveView } from './live-updates';

/** Comment lines on an open stream, so that proxies do not close it for silence. */
const HEARTBEAT_MS = 25_000;
/** Each stream ends somewhere in the last tenth of its maximum lifetime: streams opened together (a gateway restart) then do not all reconnect together. */
const LIFETIME_SPREAD = 0.1;

let heldTimers = 0;
gauge('inviaro_live_stream_timers', 'Heartbeat timers held for live widget streams on this instance', [], (timers) => timers.set(heldTimers));

/**
 * Serves one live stream as server-sent events on an open response, until the client goes, the
 * stream is ended (rotation, logout), its reader stops taking what is written, or its maximum
 * lifetime is reached (the widget then reconnects and catches up from history). Everything it
 * holds (the listener, its timers) goes with the connection. `visitorLoggedIn` reads, when asked,
 * whether the visitor's token still works.
 */
export function serveLiveStream(live: LiveUpdates, response: Response, view: LiveView, visitorLoggedIn: () => Promise<boolean>): void {
  const { limits } = live;
  // The client may have gone while the stream was being set up: its close event has passed, so nothing would clean up after it.
  if (response.req.socket.destroyed) return;
  /** Deliveries held until the stream is confirmed (see LiveUpdates.confirm); then written as they come. */
  let held: StoredMessage[] | undefined = [];
  const send = (message: StoredMessage) => write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  const listener: Listener = { view, deliver: (message) => (held ? held.push(message) : send(message)), close: () => response.end() };
  const stop = live.open(listener);
  response.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  response.flushHeaders();
  let backpressure: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
  // Ended cleanly, as a restart would: the widget reconnects, and its `ready` re-reads history, so nothing is lost.
  const lifetime = setTimeout(() => response.end(), limits.maxLifetimeMs * (1 - LIFETIME_SPREAD * Math.random()));
  heldTimers++;
  response.on('drain', () => {
    clearTimeout(backpressure);
    backpressure = undefined;
  });
  response.once('close', () => {
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    clearTimeout(backpressure);
    heldTimers--;
    stop();
  });

  // A reader that does not read would otherwise have this process buffer every message for it.
  function write(chunk: string): void {
    if (response.destroyed || response.writableEnded || response.write(chunk)) return;
    if (response.writableLength > limits.bufferedBytes) response.destroy();
    else backpressure ??= setTimeout(() => response.destroy(), limits.backpressureMs);
  }

  write(`event: ready\ndata: ${JSON.stringify({ is_verified: view.userId !== undefined })}\n\n`);
  void live.confirm(listener, visitorLoggedIn).then((confirmed) => {
    if (!confirmed || !held) return;
    const waiting = held;
    held = undefined;
    for (const message of waiting) send(message);
  });
}
