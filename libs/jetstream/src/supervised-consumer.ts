import { LoopHealth } from '@inviaro/observability';
import { ConsumerEvents, ConsumerMessages, JsMsg } from 'nats';
import { Logger } from 'pino';

/** Missed idle heartbeats in a row after which a consumer counts as stalled and is recreated. */
const STALLED_AFTER_MISSED_HEARTBEATS = 2;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

export interface SupervisedConsumer {
  stop(): void;
}

/**
 * Keeps one consume loop alive. `open` creates (or looks up) the consumer and starts consuming;
 * when its messages end (the server deleted the consumer, as it does to an ephemeral one a
 * partition kept silent past its inactive threshold; the stream is gone) or its heartbeats stop
 * (stalled), `open` runs again, with backoff, until `stop`. While it stays down, `/health/ready`
 * fails under `name`. The first `open` is awaited, so that a service that cannot consume does not start.
 */
export async function superviseConsumer(name: string, open: () => Promise<ConsumerMessages>, each: (message: JsMsg) => Promise<void> | void, logger: Logger): Promise<SupervisedConsumer> {
  const health = LoopHealth.watch(name);
  let stopped = false;
  let messages = await open();
  void (async () => {
    while (!stopped) {
      const reason = await drain(messages, each).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
      if (stopped) break;
      health.down(reason);
      logger.warn({ consumer: name, reason }, 'consumer ended; recreating it');
      for (let delay = FIRST_RETRY_MS; !stopped; delay = Math.min(MAX_RETRY_MS, delay * 2)) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (stopped) return;
        try {
          messages = await open();
          health.up();
          logger.info({ consumer: name }, 'consumer recreated');
          break;
        } catch (error) {
          health.down(error instanceof Error ? error.message : String(error));
        }
      }
    }
  })();
  return {
    stop() {
      stopped = true;
      health.forget();
      messages.stop();
    },
  };
}

/** Resolves with why the messages ended. */
async function drain(messages: ConsumerMessages, each: (message: JsMsg) => Promise<void> | void): Promise<string> {
  void (async () => {
    for await (const status of await messages.status()) {
      // An ordered consumer would only notice a deletion by its missed heartbeats, half a minute later.
      if (status.type === ConsumerEvents.ConsumerDeleted) return messages.stop(new Error('consumer deleted'));
      if (status.type === ConsumerEvents.HeartbeatsMissed && Number(status.data) >= STALLED_AFTER_MISSED_HEARTBEATS) return messages.stop(new Error('stalled: heartbeats missed'));
    }
  })();
  for await (const message of messages) await each(message);
  const error = await messages.closed();
  return error ? error.message : 'consumer stopped';
}
