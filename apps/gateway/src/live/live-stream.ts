import { HistoryMessage } from '@inviaro/contracts';
import { gauge } from '@inviaro/observability';
import { Response } from 'express';
import { LiveUpdates, LiveView } from './live-updates';

/** Comment lines on an open stream, so that proxies do not close it for silence. */
const HEARTBEAT_MS = 25_000;

let heldTimers = 0;
gauge('inviaro_live_stream_timers', 'Heartbeat timers held for live widget streams on this instance', [], (timers) => timers.set(heldTimers));

/**
 * Serves one live stream as server-sent events on an open response, until the client goes, the
 * stream is ended (rotation, logout) or its reader stops taking what is written. Everything it
 * holds (the listener, its timers) goes with the connection.
 */
export function serveLiveStream(live: LiveUpdates, response: Response, view: LiveView): void {
  const { limits } = live;
  // The client may have gone while the stream was being set up: its close event has passed, so nothing would clean up after it.
  if (response.req.socket.destroyed) return;
  const stop = live.open({ view, deliver: (message: HistoryMessage) => write(`event: message\ndata: ${JSON.stringify(message)}\n\n`), close: () => response.end() });
  response.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  response.flushHeaders();
  let backpressure: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
  heldTimers++;
  response.on('drain', () => {
    clearTimeout(backpressure);
    backpressure = undefined;
  });
  response.once('close', () => {
    clearInterval(heartbeat);
    clearTimeout(backpressure);
    heldTimers--;
    stop();
  });

  // A reader that does not read would otherwise have this process buffer every message for it.
  function write(chunk: string): void {
    if (response.destroyed || response.write(chunk)) return;
    if (response.writableLength > limits.bufferedBytes) response.destroy();
    else backpressure ??= setTimeout(() => response.destroy(), limits.backpressureMs);
  }

  write(`event: ready\ndata: ${JSON.stringify({ is_verified: view.userId !== undefined })}\n\n`);
}
