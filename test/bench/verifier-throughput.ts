/**
 * Benchmark (not a test): how fast one verifier instance drains a preloaded stream of
 * message.inbound events with a hot secret cache, against a plain consume-and-republish loop
 * (bare/consumer.ts) on the same server and stream, measured in the same run: each a fresh
 * process, timed from its first delivery to an empty consumer. Prints the figures and the ratio.
 * INVIARO_INBOUND is a work queue (a drained event is gone, and one consumer at a time may read
 * it): each drain gets freshly preloaded events, with the other consumer removed.
 *
 *   npm run bench:verifier            (EVENTS=50000 by default; PROFILE_DIR=dir writes the verifier's CPU profile)
 */
import { MessageInbound, newId } from '@inviaro/contracts';
import { generateMasterKey, KeyRing, sealClaim, userHash } from '@inviaro/crypto';
import { INBOUND_STREAM } from '@inviaro/bus';
import { connectTestNats, createWidget, HARNESS_USER, launch, ManagedProcess, natsEnv, startSystem } from '@inviaro/test-harness';
import { join } from 'node:path';
import Redis from 'ioredis';
import { JetStreamManager, NatsConnection } from 'nats';

const EVENTS = Number(process.env.EVENTS ?? 50_000);
/** Baseline and verifier take turns, each round on equal freshly preloaded events: the machine's noise hits both alike. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CLAIM_KEYS = `bench:${generateMasterKey()}`;
const CONSUMERS = ['bench_baseline', 'verifier_message_inbound'];

async function preload(nc: NatsConnection, widget: { workspaceId: string; widgetId: string; secret: string }): Promise<void> {
  const ring = KeyRing.parse(CLAIM_KEYS, 'claim key');
  const js = nc.jetstream();
  const visitorId = newId();
  for (let start = 0; start < EVENTS; start += 1_000) {
    await Promise.all(
      Array.from({ length: Math.min(1_000, EVENTS - start) }, (_, i) => {
        const id = newId();
        const userId = `usr_${(start + i) % 500}`;
        const envelope = {
          id,
          subject: MessageInbound.subject,
          schema_version: MessageInbound.schemaVersion,
          correlation_id: id,
          occurred_at: new Date().toISOString(),
          data: {
            kind: 'message',
            message_id: id,
            workspace_id: widget.workspaceId,
            widget_id: widget.widgetId,
            visitor_id: visitorId,
            text: `benchmark message ${start + i}`,
            sealed_claim: sealClaim(
              ring,
              { user_id: userId, user_hash: userHash(userId, widget.secret) },
              { eventId: id, widgetId: widget.widgetId, visitorId },
            ),
            received_at: new Date().toISOString(),
          },
        };
        return js.publish(MessageInbound.subject, Buffer.from(JSON.stringify(envelope)), { msgID: id });
      }),
    );
  }
}

async function waitDrained(jsm: JetStreamManager, consumer: string): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(INBOUND_STREAM, consumer).catch(() => undefined);
    if (info && info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitFirstDelivery(jsm: JetStreamManager, consumer: string): Promise<number> {
  for (;;) {
    const info = await jsm.consumers.info(INBOUND_STREAM, consumer).catch(() => undefined);
    if (info && info.delivered.stream_seq > 0) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Runs a consumer process until it has drained the stream; the rate is timed from its first delivery. */
async function drainRate(nc: NatsConnection, widget: Parameters<typeof preload>[1], consumer: string, start: () => Promise<ManagedProcess>): Promise<number> {
  const jsm = await nc.jetstreamManager();
  for (const name of CONSUMERS) await jsm.consumers.delete(INBOUND_STREAM, name).catch(() => undefined);
  await preload(nc, widget);
  const firstDelivery = waitFirstDelivery(jsm, consumer);
  const process = await start();
  const started = await firstDelivery;
  await waitDrained(jsm, consumer);
  const rate = EVENTS / ((performance.now() - started) / 1000);
  await process.stop();
  return rate;
}

async function redisCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].filter(([, command]) => command !== 'info').reduce((sum, [, , calls]) => sum + Number(calls), 0);
}

async function main() {
  const system = await startSystem({ services: ['gateway'], claimKeys: CLAIM_KEYS });
  // The same client options as the services' connections (libs/jetstream/src/connection.ts).
  const nc = await connectTestNats(system.servers.natsUrl, { noAsyncTraces: true });
  const redis = new Redis(system.servers.redisUrl);
  try {
    const widget = await createWidget(system);

    const rounds: Array<{ baseline_per_s: number; verifier_per_s: number; ratio: number; redis_commands_per_verification: number }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const baselineRate = await drainRate(nc, widget, 'bench_baseline', () =>
        launch('baseline', process.execPath, [join(__dirname, 'bare', 'consumer.js')], {
          env: { ...process.env, ...natsEnv(system.servers.natsUrl, HARNESS_USER), CONSUMER: 'bench_baseline' },
          readyWhen: /ready/,
        }),
      );
      const callsBefore = await redisCalls(redis);
      const verifierRate = await drainRate(nc, widget, 'verifier_message_inbound', () =>
        system.start('verifier', {}, process.env.PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE_DIR] : []),
      );
      const redisPerEvent = ((await redisCalls(redis)) - callsBefore) / EVENTS;
      rounds.push({
        baseline_per_s: Math.round(baselineRate),
        verifier_per_s: Math.round(verifierRate),
        ratio: Number((verifierRate / baselineRate).toFixed(3)),
        redis_commands_per_verification: Number(redisPerEvent.toFixed(3)),
      });
      console.error(`round ${round}: ${JSON.stringify(rounds[rounds.length - 1])}`);
    }
    const ratios = rounds.map((r) => r.ratio).sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          events: EVENTS,
          rounds,
          median_ratio: ratios[Math.floor(ratios.length / 2)],
          target: 'median ratio >= 0.8; redis commands per verification <= 1 (+ the one fill)',
        },
        null,
        2,
      ),
    );
  } finally {
    redis.disconnect();
    await nc.close();
    await system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
