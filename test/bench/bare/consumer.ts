/**
 * Consume, republish, acknowledge: the baseline of both benchmarks, run as a process of its own like
 * the verifier. Takes each event, parses it, publishes a derived event (deduplicated by a message id),
 * acknowledges once that publish is acknowledged; runs until it is stopped.
 *  - bench:verifier: message.inbound from INVIARO_INBOUND to contact.anonymous (the defaults); nothing else.
 *  - bench:e2e's bare pipeline (WIDGET_SECRET set): also checks the event's user_hash, the HMAC-SHA256 of
 *    its user_id under the widget secret, in constant time, as the verifier checks a claim.
 * Environment: NATS_URL, CONSUMER; STREAM, FILTER_SUBJECT, OUT_SUBJECT, WIDGET_SECRET optional.
 */
import { MessageInbound } from '@inviaro/contracts';
import { INBOUND_STREAM } from '@inviaro/bus';
import { natsConnectionOptions, NatsSettings } from '@inviaro/jetstream';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy } from 'nats';
import { IN_FLIGHT } from './topology';

const { CONSUMER, STREAM = INBOUND_STREAM, FILTER_SUBJECT = MessageInbound.subject, OUT_SUBJECT = 'contact.anonymous', WIDGET_SECRET } = process.env;

/** Whether a claim `user_hash` is the HMAC of `user_id` under the widget secret; false without a claim. */
function claimHolds(data: { user_id?: string; user_hash?: string }): boolean {
  if (!WIDGET_SECRET || !data.user_id || !data.user_hash) return false;
  const expected = createHmac('sha256', WIDGET_SECRET).update(data.user_id).digest();
  const given = Buffer.from(data.user_hash, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function main() {
  const consumer = CONSUMER!;
  // The same client options as the services' connections (libs/jetstream/src/connection.ts).
  const nc = await connect({ ...natsConnectionOptions(process.env as unknown as NatsSettings), noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(STREAM, {
    durable_name: consumer,
    filter_subject: FILTER_SUBJECT,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: IN_FLIGHT * 16,
  });
  const js = nc.jetstream();
  const messages = await (await js.consumers.get(STREAM, consumer)).consume({ max_messages: IN_FLIGHT * 2 });
  console.log('ready');
  let inFlight = 0;
  let wake: (() => void) | undefined;
  for await (const message of messages) {
    while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    const event = JSON.parse(message.string()) as { id: string; data: { user_id?: string; user_hash?: string } };
    const derived = WIDGET_SECRET ? { ...event, verified: claimHolds(event.data) } : { ...event, subject: OUT_SUBJECT };
    void js.publish(OUT_SUBJECT, Buffer.from(JSON.stringify(derived)), { msgID: `${consumer}-${event.id}` }).then(() => {
      message.ack();
      inFlight--;
      wake?.();
    });
  }
}

void main();
