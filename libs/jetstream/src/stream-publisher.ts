import { counter } from '@inviaro/observability';
import { ErrorCode, Events, JetStreamClient, JetStreamPublishOptions, NatsConnection, NatsError, PubAck } from 'nats';

const resent = counter(
  'inviaro_publish_resends_total',
  'Publishes sent again with the same id, by subject and why: reconnect (the connection moved to another node), unanswered (no acknowledgement in time), no_leader (no stream leader answered)',
  ['subject', 'reason'],
);

/** How long a publish keeps trying before its caller hears that the stream could not store it. */
const PUBLISH_DEADLINE_MS = 5_000;
/** How long one attempt waits for its acknowledgement: a stream leader that died with it unanswered is replaced within a few seconds. */
const ATTEMPT_MS = 2_000;
/** The pause before asking again when no stream leader answered (an election is under way). */
const NO_LEADER_PAUSE_MS = 250;

/**
 * Publishes a message and resolves only once its stream has stored it.
 *
 * A publish, or its acknowledgement, dies with the socket of a NATS node that dies (kill -9 of a
 * cluster node), and nats.js drops what it had buffered for that socket when it reconnects: the
 * caller would wait out the whole timeout to hear of a failure the stream never had. So a publish
 * still unanswered when the connection comes back, or after an attempt's time, or refused for want
 * of a stream leader, is sent again with the same message id until PUBLISH_DEADLINE_MS: the
 * stream's duplicate window stores it once and acknowledges the second copy as a duplicate.
 */
export class StreamPublisher {
  private readonly js: JetStreamClient;
  /** Wakes each attempt in flight when the connection comes back (and so is held only while it is in flight). */
  private readonly inFlight = new Set<() => void>();

  constructor(nc: NatsConnection) {
    this.js = nc.jetstream();
    this.followReconnects(nc).catch(() => undefined);
  }

  async store(subject: string, payload: Uint8Array, options: Partial<JetStreamPublishOptions> & { msgID: string }): Promise<PubAck> {
    const deadline = Date.now() + PUBLISH_DEADLINE_MS;
    for (;;) {
      const attempt = this.js.publish(subject, payload, { ...options, timeout: Math.min(ATTEMPT_MS, Math.max(1, deadline - Date.now())) });
      const outcome = await new Promise<{ ack: PubAck } | { error: unknown } | { reconnected: true }>((settle) => {
        const wake = () => settle({ reconnected: true });
        this.inFlight.add(wake);
        attempt
          .then(
            (ack) => settle({ ack }),
            (error: unknown) => settle({ error }),
          )
          .finally(() => this.inFlight.delete(wake));
      });
      if ('ack' in outcome) return outcome.ack;
      const reason = 'reconnected' in outcome ? 'reconnect' : resendReason(outcome.error);
      if (!reason || Date.now() >= deadline) {
        if ('error' in outcome) throw outcome.error;
        // The connection came back as time ran out: this attempt's own answer is the last word.
        return attempt;
      }
      // An attempt given up on may still be answered or time out; either is of no interest now.
      if (reason === 'reconnect') attempt.catch(() => undefined);
      if (reason === 'no_leader') await new Promise((resolve) => setTimeout(resolve, NO_LEADER_PAUSE_MS));
      resent.inc({ subject, reason });
    }
  }

  private async followReconnects(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type !== Events.Reconnect) continue;
      for (const wake of this.inFlight) wake();
    }
  }
}

/** Why a failed attempt is worth another with the same id, if it is. */
function resendReason(error: unknown): 'unanswered' | 'no_leader' | undefined {
  const code = (error as Partial<NatsError> | undefined)?.code;
  if (code === ErrorCode.Timeout) return 'unanswered';
  if (code === ErrorCode.NoResponders) return 'no_leader';
  return undefined;
}
