/**
 * End-to-end benchmark (not a test): the whole system on this machine, widget POSTs to stored
 * messages. Prints, and keeps in docs/benchmarks/ as JSON and an SVG chart:
 *  1. sustained throughput (closed loop) for DURATION seconds, with lost and duplicated counts;
 *  2. POST-to-stored latency p50/p99/max at a fixed offered RATE per second (open loop);
 *  3. both again with two verifier and two contacts instances;
 *  4. each service's resident memory, idle and under load, and its CPU time per accepted message
 *     (which, unlike the rates, holds when other work shares the machine);
 *  5. the bare JetStream publish rate of one Node client on the same server, and (1) as a ratio of it;
 *  6. (1), (2) and (5) again on a 3-node JetStream cluster on loopback with every stream replicated
 *     3 times (one instance of each service), beside the single server's figures: the cost of replication.
 *
 *   npm run bench:e2e       (DURATION=60 RATE=1000 LATENCY_SECONDS=20 CONCURRENCY=64)
 *   PROFILE_DIR=/tmp/prof npm run bench:e2e     each service writes a V8 CPU profile there as it stops
 */
import { MessageStored } from '@inviaro/contracts';
import { userHash } from '@inviaro/crypto';
import { connectTestNats, createWidget, nth, RunningSystem, SERVICES, startNatsCluster, startSystem, SystemOptions, TestWidget, WidgetClient } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatsConnection, StorageType } from 'nats';

const DURATION = Number(process.env.DURATION ?? 60);
const RATE = Number(process.env.RATE ?? 1000);
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const VISITORS = 50;
/** The bare publish baseline's length; shorter only when the whole run is. */
const BARE_SECONDS = Math.min(10, DURATION);
const NODE_ARGS = process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] : [];
const OUT = join(__dirname, '..', '..', '..', 'docs', 'benchmarks');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** When each message was stored, as the gateways learn it (message.stored). */
class StoredWatch {
  readonly storedAt = new Map<string, number>();
  duplicates = 0;
  private constructor(private readonly nc: NatsConnection) {}

  static async start(natsUrl: string): Promise<StoredWatch> {
    const watch = new StoredWatch(await connectTestNats(natsUrl, { noAsyncTraces: true }));
    watch.nc.subscribe(MessageStored.subject, {
      callback: (_error, message) => {
        const id = message.json<{ data: { message_id: string } }>().data.message_id;
        if (watch.storedAt.has(id)) watch.duplicates++;
        else watch.storedAt.set(id, performance.now());
      },
    });
    return watch;
  }

  close() {
    return this.nc.close();
  }
}

class Traffic {
  private n = 0;
  readonly sentAt = new Map<string, number>();
  constructor(
    private readonly client: WidgetClient,
    private readonly widget: TestWidget,
    private readonly tokens: string[],
  ) {}

  /** One message; resolves with its id once accepted (202), or undefined. */
  async send(): Promise<string | undefined> {
    const i = this.n++;
    const visitor = i % this.tokens.length;
    const userId = `bench-user-${visitor}`;
    // Half the visitors are logged in and sign every message; the rest are anonymous.
    const claim = visitor % 2 === 0 ? { user_id: userId, user_hash: userHash(userId, this.widget.secret) } : {};
    const started = performance.now();
    const response = await this.client.postMessage(nth(this.tokens, visitor), { client_message_id: `b-${Date.now()}-${i}`, text: `benchmark ${i}`, ...claim }).catch(() => undefined);
    if (response?.status !== 202) return undefined;
    this.sentAt.set(response.body.message_id, started);
    return response.body.message_id;
  }
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/** User plus system CPU time of a process so far, in milliseconds. */
function cpuMs(pid: number | undefined): number {
  // The fields after the command name, which may itself hold spaces: utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/** A figure for each running service process, as `gateway#1`, `verifier#2`, ... */
function perProcess(system: RunningSystem, figure: (pid: number | undefined) => number): Record<string, number> {
  const running = system.processes.filter((p) => p.child.exitCode === null);
  return Object.fromEntries(running.map((p, i) => [`${p.name}#${running.slice(0, i).filter((q) => q.name === p.name).length + 1}`, figure(p.child.pid)]));
}

const memory = (system: RunningSystem) => perProcess(system, rssMb);

async function drain(watch: StoredWatch, ids: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && ids.some((id) => !watch.storedAt.has(id))) await sleep(100);
}

async function throughput(system: RunningSystem, traffic: Traffic, watch: StoredWatch) {
  const accepted: string[] = [];
  let rejected = 0;
  let underLoad: Record<string, number> = {};
  const started = performance.now();
  const end = started + DURATION * 1000;
  const sampler = setTimeout(() => (underLoad = memory(system)), (DURATION * 1000) / 2);
  const cpuBefore = perProcess(system, cpuMs);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const id = await traffic.send();
        if (id) accepted.push(id);
        else rejected++;
      }
    }),
  );
  clearTimeout(sampler);
  const storedInWindow = accepted.filter((id) => (watch.storedAt.get(id) ?? Infinity) <= end).length;
  await drain(watch, accepted);
  // After the drain: a service that fell behind still spends its share on these messages.
  const cpuAfter = perProcess(system, cpuMs);
  const rows = await system.sql<{ count: string }>(`SELECT count(*) FROM messages WHERE id = ANY($1)`, [accepted]);
  return {
    accepted: accepted.length,
    rejected,
    accepted_per_s: Math.round(accepted.length / DURATION),
    stored_per_s: Math.round(storedInWindow / DURATION),
    lost: accepted.length - Number(nth(rows, 0).count),
    duplicated_events: watch.duplicates,
    rss_mb_under_load: underLoad,
    cpu_ms_per_accepted: Object.fromEntries(Object.entries(cpuAfter).map(([name, ms]) => [name, Number(((ms - (cpuBefore[name] ?? 0)) / accepted.length).toFixed(3))])),
  };
}

async function latency(traffic: Traffic, watch: StoredWatch) {
  const ids: Array<Promise<string | undefined>> = [];
  const started = performance.now();
  for (let i = 0; i < RATE * LATENCY_SECONDS; i++) {
    // Open loop: the next send is due at its time whatever the answers do.
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    ids.push(traffic.send());
  }
  const accepted = (await Promise.all(ids)).filter((id): id is string => id !== undefined);
  await drain(watch, accepted);
  const latencies = accepted
    .map((id) => (watch.storedAt.get(id) ?? NaN) - traffic.sentAt.get(id)!)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  const at = (q: number) => Number(nth(latencies, Math.min(latencies.length - 1, Math.floor(q * latencies.length))).toFixed(1));
  return { offered_per_s: RATE, accepted: accepted.length, stored: latencies.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: Number(nth(latencies, latencies.length - 1).toFixed(1)) };
}

/** One Node client publishing to JetStream as fast as it can, acknowledged, for ten seconds, on a stream of `replicas` copies. */
async function barePublishRate(natsUrl: string, replicas = 1): Promise<number> {
  const nc = await connectTestNats(natsUrl, { noAsyncTraces: true });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: 'BENCH_BASELINE', subjects: ['bench.baseline'], storage: StorageType.File, num_replicas: replicas });
  const js = nc.jetstream();
  const payload = Buffer.alloc(600, 'x');
  let published = 0;
  const end = performance.now() + BARE_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await js.publish('bench.baseline', payload);
        published++;
      }
    }),
  );
  await jsm.streams.delete('BENCH_BASELINE');
  await nc.close();
  return Math.round(published / BARE_SECONDS);
}

type Figures = { stored_per_s: number; p99: number };

function chart(results: { one: Figures; two: Figures; cluster: Figures; baseline: number; clusterBaseline: number }): string {
  const bars = [
    ['bare JetStream publish', results.baseline],
    ['bare publish, cluster R3', results.clusterBaseline],
    ['end to end, 1+1+1', results.one.stored_per_s],
    ['end to end, 1+2+2', results.two.stored_per_s],
    ['end to end, 1+1+1, R3', results.cluster.stored_per_s],
    ['target', 3000],
  ] as const;
  const max = Math.max(...bars.map(([, v]) => v));
  const rows = bars
    .map(([label, value], i) => {
      const width = Math.round((value / max) * 360);
      return `<text x="10" y="${40 + i * 30}" font-size="12">${label}</text><rect x="190" y="${28 + i * 30}" width="${width}" height="16" fill="${label === 'target' ? '#bbb' : '#3b6ea8'}"/><text x="${196 + width}" y="${40 + i * 30}" font-size="12">${value}/s</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="${40 + bars.length * 30}" font-family="sans-serif"><text x="10" y="16" font-size="13" font-weight="bold">Messages per second (p99 at ${RATE}/s: ${results.one.p99} ms with 1+1+1, ${results.two.p99} ms with 1+2+2, ${results.cluster.p99} ms with 1+1+1 on R3)</text>${rows}</svg>`;
}

const LIMITS = { RATE_LIMIT_ADDRESS_PER_MINUTE: '10000000', RATE_LIMIT_NEW_VISITORS_PER_MINUTE: '100000', RATE_LIMIT_VISITOR_PER_MINUTE: '1000000', RATE_LIMIT_WIDGET_PER_MINUTE: '10000000' };

/** The system with one instance of each service, its widget's visitors and the watch on stored messages. */
async function benchSystem(options: SystemOptions = {}) {
  const system = await startSystem({ ...options, serviceEnv: { ...LIMITS, ...options.serviceEnv }, services: [] });
  for (const service of SERVICES) await system.start(service, {}, NODE_ARGS);
  const watch = await StoredWatch.start(system.servers.natsUrl);
  const widget = await createWidget(system);
  const client = new WidgetClient(system.gatewayUrl, widget);
  const tokens = await Promise.all(Array.from({ length: VISITORS }, () => client.newVisitor()));
  const traffic = new Traffic(client, widget, tokens);
  const stop = async () => {
    await watch.close();
    await system.stop();
  };
  return { system, watch, traffic, stop };
}

/** (1), (2) and (5) with every stream replicated on a 3-node cluster on loopback. */
async function onCluster() {
  const cluster = await startNatsCluster();
  try {
    const { system, watch, traffic, stop } = await benchSystem({ env: { ...process.env, NATS_URL: cluster.url }, serviceEnv: { NATS_STREAM_REPLICAS: '3' } });
    try {
      const baseline = await barePublishRate(cluster.url, 3);
      console.error(`bare JetStream publish, cluster, replicas 3: ${baseline}/s`);
      const one = { throughput: await throughput(system, traffic, watch), latency: await latency(traffic, watch) };
      console.error(`cluster, replicas 3, 1 verifier, 1 contacts: ${JSON.stringify(one)}`);
      return { bare_jetstream_publish_per_s: baseline, one_instance_each: one };
    } finally {
      await stop();
    }
  } finally {
    await cluster.stop();
  }
}

async function main() {
  const { system, watch, traffic, stop } = await benchSystem();
  let single;
  try {
    const idle = memory(system);
    const baseline = await barePublishRate(system.servers.natsUrl);
    console.error(`bare JetStream publish: ${baseline}/s`);

    const one = { throughput: await throughput(system, traffic, watch), latency: await latency(traffic, watch) };
    console.error(`1 verifier, 1 contacts: ${JSON.stringify(one)}`);
    await system.start('verifier', {}, NODE_ARGS);
    await system.start('contacts', {}, NODE_ARGS);
    const two = { throughput: await throughput(system, traffic, watch), latency: await latency(traffic, watch) };
    console.error(`2 verifiers, 2 contacts: ${JSON.stringify(two)}`);
    single = { baseline, one, two, idle };
  } finally {
    await stop();
  }
  const cluster = await onCluster();
  const { baseline, one, two, idle } = single;
  const results = {
    run_at: new Date().toISOString(),
    machine: '2 cores; NATS, Redis, PostgreSQL, the services and the load generator on the same machine',
    settings: { duration_s: DURATION, concurrency: CONCURRENCY, offered_rate_per_s: RATE, latency_window_s: LATENCY_SECONDS, visitors: VISITORS },
    bare_jetstream_publish_per_s: baseline,
    one_instance_each: one,
    two_verifiers_two_contacts: two,
    end_to_end_as_ratio_of_bare_publish: Number((one.throughput.stored_per_s / baseline).toFixed(3)),
    cluster_of_3_replicas_3: cluster,
    single_server_vs_cluster: {
      stored_per_s: [one.throughput.stored_per_s, cluster.one_instance_each.throughput.stored_per_s],
      p99_ms_at_rate: [one.latency.p99_ms, cluster.one_instance_each.latency.p99_ms],
      bare_publish_per_s: [baseline, cluster.bare_jetstream_publish_per_s],
    },
    rss_mb_idle: idle,
    targets: { throughput_per_s: 3000, p99_ms_at_1000_per_s: 50, rss_mb_under_load: 200, lost: 0, duplicated: 0 },
  };
  console.log(JSON.stringify(results, null, 2));
  console.error(
    `end to end, 1+1+1: one server ${one.throughput.stored_per_s} stored/s, p99 ${one.latency.p99_ms} ms | ` +
      `cluster R3 ${cluster.one_instance_each.throughput.stored_per_s} stored/s, p99 ${cluster.one_instance_each.latency.p99_ms} ms`,
  );
  writeFileSync(join(OUT, 'e2e-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const figures = (run: typeof one) => ({ stored_per_s: run.throughput.stored_per_s, p99: run.latency.p99_ms });
  writeFileSync(
    join(OUT, 'e2e-latest.svg'),
    chart({ baseline, clusterBaseline: cluster.bare_jetstream_publish_per_s, one: figures(one), two: figures(two), cluster: figures(cluster.one_instance_each) }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
