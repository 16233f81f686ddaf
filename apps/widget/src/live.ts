import { backoff, Failure, failureOf, readStream } from './api';
import { Message } from './conversation';

/** What the live stream needs from the widget, for one session generation at a time. */
export interface LiveHost {
  /** The stream's request body while `generation` is current and may stream (a token, not refused); otherwise none, and the loop ends. */
  request(generation: number): object | undefined;
  isCurrent(generation: number): boolean;
  /** The stream is open: read the history, so that nothing between two connections is missed. */
  ready(generation: number): void;
  message(message: Message): void;
  /** The gateway refused the stream or its token (403/404, 401): no reconnecting. */
  refused(failure: Failure): void;
  /** A stream that had been open broke; it is opened again after a backoff. */
  reconnecting(): void;
}

/**
 * `POST /v1/widget/stream`, kept open: read until the server ends it (logout, a rotated secret, a
 * restart), reconnect with backoff; every `ready` re-reads the history, so nothing between two
 * connections is missed and a claim that stopped verifying stops showing the verified history.
 */
export class LiveStream {
  /** The generation whose loop runs; -1: none. */
  private generation = -1;
  private abort?: AbortController;
  private wake?: () => void;

  constructor(
    private readonly base: string,
    private readonly host: LiveHost,
  ) {}

  /** Starts the loop for `generation` unless it already runs. */
  run(generation: number): void {
    if (this.generation !== generation) void this.loop(generation);
  }

  /** Ends the open stream; `reconnect` keeps the loop going (it then reconnects and re-reads history). */
  stop(reconnect = false): void {
    if (!reconnect) this.generation = -1;
    if (this.abort) this.abort.abort();
    this.abort = undefined;
  }

  /** Reconnects now rather than after the backoff (the browser is back online). */
  wakeUp(): void {
    if (this.wake) this.wake();
  }

  private async loop(generation: number): Promise<void> {
    this.generation = generation;
    let attempt = 0;
    let body: object | undefined;
    while ((body = this.host.request(generation))) {
      const abort = new AbortController();
      this.abort = abort;
      try {
        await readStream(
          this.base,
          body,
          (event, data) => {
            if (!this.host.isCurrent(generation)) return;
            if (event === 'ready') {
              attempt = 0;
              this.host.ready(generation);
            } else if (event === 'message') this.host.message(data as Message);
          },
          abort.signal,
        );
      } catch (error) {
        if (!this.host.isCurrent(generation)) return;
        const failure = failureOf(error);
        if (failure.kind === 'refused' || failure.kind === 'token') {
          this.generation = -1;
          this.host.refused(failure);
          return;
        }
        if (!abort.signal.aborted && attempt > 0) this.host.reconnecting();
      }
      if (!this.host.isCurrent(generation)) return;
      await new Promise<void>((resolve) => {
        const timer = window.setTimeout(resolve, backoff(attempt++));
        this.wake = () => {
          window.clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (this.generation === generation) this.generation = -1;
  }
}
