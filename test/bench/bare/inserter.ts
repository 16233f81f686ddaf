/**
 * The bare pipeline's inserter (bench:e2e's twin of contacts): takes the consumer's events, inserts
 * each batch with one INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING, acknowledges the
 * batch after the commit, and tells the benchmark which ids it stored. A batch is whatever arrived
 * while the previous insert ran. NATS_URL, DATABASE_URL from the environment.
 */
import { natsConnectionOptions, NatsSettings } from '@inviaro/jetstream';
import { AckPolicy, connect, DeliverPolicy, JsMsg } from 'nats';
import { Pool } from 'pg';
import { BARE_EVENTS, BARE_STORED_SUBJECT, IN_FLIGHT } from './topology';

async function main() {
  const nc = await connect({ ...natsConnectionOptions(process.env as unknown as NatsSettings), noAsyncTraces: true });
  const db = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
  const jsm = await nc.jetstreamManager();
  await jsm.consumers.add(BARE_EVENTS.stream, {
    durable_name: BARE_EVENTS.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: IN_FLIGHT * 16,
  });
  const consumer = await nc.jetstream().consumers.get(BARE_EVENTS.stream, BARE_EVENTS.consumer);
  let batch: JsMsg[] = [];
  let inserting = false;
  const insert = async () => {
    inserting = true;
    while (batch.length > 0) {
      const taken = batch;
      batch = [];
      const events = taken.map((message) => JSON.parse(message.string()) as { data: { message_id: string; visitor: string; text: string }; verified: boolean });
      const { rows } = await db.query<{ id: string }>(
        'INSERT INTO bare_messages (id, visitor, text, is_verified) SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[]) ON CONFLICT DO NOTHING RETURNING id',
        [events.map((e) => e.data.message_id), events.map((e) => e.data.visitor), events.map((e) => e.data.text), events.map((e) => e.verified)],
      );
      for (const message of taken) message.ack();
      nc.publish(BARE_STORED_SUBJECT, JSON.stringify(rows.map((row) => row.id)));
    }
    inserting = false;
  };
  await consumer.consume({
    max_messages: IN_FLIGHT * 16,
    callback: (message) => {
      batch.push(message);
      if (!inserting) void insert();
    },
  });
  console.log('ready');
}

void main();
