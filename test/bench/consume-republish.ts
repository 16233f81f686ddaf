/**
 * The verifier benchmark's baseline, run as a process of its own like the verifier: take each
 * message.inbound event, parse it, publish a derived event, acknowledge; nothing else. Runs until
 * it is stopped. NATS_URL and CONSUMER from the environment.
 */
import { MessageInbound } from '@inviaro/contracts';
import { INBOUND_STREAM, natsConnectionOptions, NatsSettings } from '@inviaro/jetstream';
import { AckPolicy, connect, DeliverPolicy } from 'nats';

/** The same number of messages in flight as the verifier's transport allows. */
export const IN_FLIGHT = 64;

async function main() {
  const consumer = process.env.CONSUMER!;
  // The same client options as the services' connections (libs/jetstream/src/connection.ts).
  const nc = await connect({ ...natsConnectionOptions(process.env as unknown as NatsSettings), noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(INBOUND_STREAM, { durable_name: consumer, filter_subject: MessageInbound.subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: IN_FLIGHT * 16 });
  const js = nc.jetstream();
  const messages = await (await js.consumers.get(INBOUND_STREAM, consumer)).consume({ max_messages: IN_FLIGHT * 2 });
  console.log('ready');
  let inFlight = 0;
  let wake: (() => void) | undefined;
  for await (const message of messages) {
    while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    inFlight++;
    const event = JSON.parse(message.string()) as { id: string };
    void js.publish('contact.anonymous', Buffer.from(JSON.stringify({ ...event, subject: 'contact.anonymous' })), { msgID: `${consumer}-${event.id}` }).then(() => {
      message.ack();
      inFlight--;
      wake?.();
    });
  }
}

void main();
