import { LoopHealth } from '@inviaro/observability';
import { Consumer, ConsumerEvents, ConsumerMessages, JsMsg } from 'nats';
import { Logger } from 'pino';
import { describeError } from './describe-error';

/** Missed idle heartbeats in a row after which a consumer counts as stalled and is recreated. */
const STALLED_AFTER_MISSED_HEARTBEATS = 2;
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10_000;

/** How often a running consumer is looked up: a pull consumer does not notice the server deleted it while this process was frozen. */
const PROBE_MS = 5_000;

export interface SupervisedConsumer {
  stop(): void;
}

export interface Consuming {
  consumer: Consumer;
  messages: ConsumerMessages;
}

/**
 * Keeps one consume loop alive. `open` creates (or looks up) the consumer and starts consuming;
 * when its messages end, the server no longer has the consumer (it deletes an ephemeral one that a
 * pause or partition kept silent past its inactive threshold; the stream is gone) or its heartbeats
 * stop (stalled), `open` runs again, with backoff, until `stop`. While it stays down, `/health/ready`
 * fails under `name`. The first `open` is awaited, so that a service that cannot consume does not start.
 */
export async function superviseConsumer(
  name: string,
  open: () => Promise<Consuming>,
  each: (message: JsMsg) => Promise<void> | void,
  logger: Logger,
): Promise<SupervisedConsumer> {
  const health = LoopHealth.watch(name);
  let stopped = false;
  let consuming = await open();
  const supervise = async () => {
    while (!stopped) {
      const reason = await drain(consuming, each).catch(describeError);
      if (stopped) break;
      health.down(reason);
      logger.warn({ consumer: name, reason }, 'consumer ended; recreating it');
      for (let delay = FIRST_RETRY_MS; !stopped; delay = Math.min(MAX_RETRY_MS, delay * 2)) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (stopped) return;
        try {
          consuming = await open();
          health.up();
          logger.info({ consumer: name }, 'consumer recreated');
          break;
        } catch (error) {
          health.down(describeError(error));
        }
      }
    }
  };
  // Nothing above should throw; if it ever does, the loop is gone for good: say so, and stay unready.
  supervise().catch((error: unknown) => {
    health.down(describeError(error));
    logger.error({ consumer: name, err: describeError(error) }, 'consumer supervision failed; not recreated');
  });
  return {
    stop() {
      stopped = true;
      health.forget();
      consuming.messages.stop();
    },
  };
}

/** Resolves with why the messages ended. */
async function drain({ consumer, messages }: Consuming, each: (message: JsMsg) => Promise<void> | void): Promise<string> {
  const watchStatus = async () => {
    for await (const status of await messages.status()) {
      // An ordered consumer would only notice a deletion by its missed heartbeats, half a minute later.
      if (status.type === ConsumerEvents.ConsumerDeleted) return messages.stop(new Error('consumer deleted'));
      if (status.type === ConsumerEvents.HeartbeatsMissed && Number(status.data) >= STALLED_AFTER_MISSED_HEARTBEATS)
        return messages.stop(new Error('stalled: heartbeats missed'));
    }
  };
  // Without its status a stalled consumer goes unnoticed: end the messages, so the supervisor recreates it.
  watchStatus().catch((error: unknown) => messages.stop(new Error(`status watch failed: ${describeError(error)}`)));
  const probe = setInterval(() => {
    consumer.info().catch((error: Error) => {
      // Only a definite answer ends it: a lookup that timed out (NATS away) proves nothing.
      if (/not found/i.test(error.message)) messages.stop(new Error(error.message));
    });
  }, PROBE_MS);
  try {
    for await (const message of messages) await each(message);
  } finally {
    clearInterval(probe);
  }
  const error = await messages.closed();
  return error ? error.message : 'consumer stopped';
}
