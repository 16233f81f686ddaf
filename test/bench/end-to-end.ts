/**
 * End-to-end benchmark (not a test): the whole system on this machine, widget POSTs to stored
 * messages, beside a bare pipeline of the same shape on the same servers with the same load
 * generator (load-generator.ts; bare/). Prints, and keeps in docs/benchmarks/ as JSON and an SVG chart:
 *  1. sustained throughput (closed loop, CONCURRENCY in flight) for DURATION seconds after a warm-up
 *     (5 s of the same load, then until it is stored): accepted and stored over the window, lost and duplicated counts;
 *  2. POST-to-stored latency p50/p99/max at a fixed offered rate (open loop): half of (1), or RATE;
 *     in (1) and (2), PostgreSQL's own view (postgres-views.ts): its costliest statements and its
 *     transactions per message (pg_stat_statements, pg_stat_database), and what its sessions waited on;
 *  3. both again with two verifier and two contacts instances;
 *  4. each service's resident memory, idle and at the end of (1), with what it is made of (its V8 heap
 *     and external memory, from its /metrics; the bare twins' RSS only), and its CPU time per accepted message
 *     (which, unlike the rates, holds when other work shares the machine), and the CPU time per
 *     message of NATS, Redis and PostgreSQL (every process of each, from /proc) and of the load generator;
 *  5. (1), (2) and (4) for the bare pipeline, an edge, a consumer and an inserter (bare/), after the
 *     services have stopped, at the offered rate of (2); then the ratios to it beside the targets;
 *  6. the bare JetStream publish rate of one Node client, and (1), (2) again on a 3-node JetStream
 *     cluster on loopback with every stream replicated 3 times (one instance of each service): the cost of replication.
 * Each of (1)-(5) under two loads (issue 26, LOADS below): many visitors who each send rarely, and 50 hot ones.
 *
 *   npm run bench:e2e       (DURATION=20 LATENCY_SECONDS=10 CONCURRENCY=64; RATE=n fixes the latency phases' offered rate)
 *   LOADS=many MANY_VISITORS=2000 npm run bench:e2e     one load only; how many visitors the many-visitor load has
 *   PROFILE_DIR=/tmp/prof npm run bench:e2e     each service writes a V8 CPU profile there as it stops (<service>-<started>.cpuprofile)
 *   node dist/test/bench/profile-summary.js /tmp/prof     the top self-time functions of each profile
 */
import { MessageStored } from '@inviaro/contracts';
import {
  createWidget,
  connectTestNats,
  ManagedProcess,
  metricValue,
  RunningSystem,
  ServerSet,
  SERVICES,
  startNatsCluster,
  startSystem,
  SystemOptions,
  WidgetClient,
} from '@inviaro/test-harness';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageType } from 'nats';
import { Pool } from 'pg';
import { startBarePipeline } from './bare/pipeline';
import { BARE_STORED_SUBJECT } from './bare/topology';
import { Poster, Traffic } from './load-generator';
import { enableStatementStats, phaseReport, phaseSummary, POSTGRES_BENCH_SETTINGS, sampleWaits, startPhase } from './postgres-views';
import { cpuMs, rssMb, treeCpuMs } from './proc';
import { BENCH_LIMITS, drain, sleep, StoredWatch, superuserPool } from './stored-watch';

const DURATION = Number(process.env.DURATION ?? 20);
/** Unset: each latency phase offers half of the throughput its configuration just sustained. */
const RATE = process.env.RATE ? Number(process.env.RATE) : undefined;
const LATENCY_SECONDS = Number(process.env.LATENCY_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
/**
 * The two loads of issue 26, each measured on the system and on the bare pipeline: many visitors who
 * each send rarely (each message from one at random), and the 50 hot visitors of the earlier runs,
 * each sending in turn (about 50 messages a second each: their events serialise on their rows).
 */
const LOADS = {
  many: { visitors: Number(process.env.MANY_VISITORS ?? 2000), order: 'random', stored_ratio: 0.8 },
  hot: { visitors: 50, order: 'in-turn', stored_ratio: 0.5 },
} as const;
type Load = keyof typeof LOADS;
/** LOADS=many or LOADS=hot runs one. */
const SELECTED = (process.env.LOADS ?? 'many,hot').split(',').filter((name): name is Load => name in LOADS);
const VISITORS = Math.max(...SELECTED.map((load) => LOADS[load].visitors));
/** A sender's pause after a refusal: shorter than Retry-After (2 s), so that the window still sees the bound at work. */
const REFUSED_PAUSE_MS = 100;
const WARM_UP_SECONDS = Math.min(5, DURATION / 2);
/** The bare publish baseline's length; shorter only when the whole run is. */
const BARE_SECONDS = Math.min(10, DURATION);
/** With PROFILE_DIR, each service process writes `<service>-<started>.cpuprofile` there as it stops. */
const nodeArgs = (service: string) =>
  process.env.PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`, `--cpu-prof-name=${service}-${Date.now()}.cpuprofile`] : [];
const OUT = join(__dirname, '..', '..', '..', 'docs', 'benchmarks');
/** The issues' targets (14 and 26), as ratios to the bare pipeline where machines differ; the stored ratio is each load's. */
const TARGETS = {
  gateway_cpu_ratio: 2,
  verifier_cpu_ratio: 2,
  contacts_cpu_ratio: 4,
  postgres_cpu_ratio: 4,
  p99_ms: 50,
  cluster_p99_ms: 100,
  rss_mb: 200,
  rss_ratio: 1.5,
  stored_of_accepted: 0.98,
};

/** What the phases measure: the system, or the bare pipeline. */
interface Pipeline {
  /** The processes its CPU and memory are read from (those still running). */
  processes(): ManagedProcess[];
  /** The server processes (NATS, or each cluster node; Redis; PostgreSQL) whose CPU time is read. */
  serverPids(): Record<string, number | undefined>;
  watch: StoredWatch;
  /** Messages from the load's visitors. */
  trafficFor(load: Load): Traffic;
  /** How many of these ids are in the database. */
  countStored(ids: string[]): Promise<number>;
  /** PostgreSQL's superuser on the pipeline's database (its views of every session), when the benchmark started it. */
  superuser: Pool | undefined;
}

/** A pipeline under one load. */
type Loaded = Omit<Pipeline, 'trafficFor'> & { traffic: Traffic };

/** Each running process by its name, as `gateway#1`, `verifier#2`, ... */
function named(processes: ManagedProcess[]): Array<[string, ManagedProcess]> {
  const running = processes.filter((p) => p.child.exitCode === null);
  return running.map((p, i) => [`${p.name}#${running.slice(0, i).filter((q) => q.name === p.name).length + 1}`, p]);
}

/** A figure for each running process. */
function perProcess(processes: ManagedProcess[], figure: (pid: number | undefined) => number): Record<string, number> {
  return Object.fromEntries(named(processes).map(([name, p]) => [name, figure(p.child.pid)]));
}

const MB = 1024 * 1024;
/** The V8 figures of prom-client's default metrics that, with RSS, say what a service's memory is made of. */
const V8_MEMORY = { heap_used_mb: 'nodejs_heap_size_used_bytes', heap_total_mb: 'nodejs_heap_size_total_bytes', external_mb: 'nodejs_external_memory_bytes' };

/**
 * Each running process's resident memory in MB; for a service (which answers /metrics at its url),
 * also its V8 heap, used and total, and external memory (buffers): RSS beyond them is code, stacks and native allocations.
 */
async function memory(processes: ManagedProcess[]): Promise<Record<string, Record<string, number>>> {
  const each = named(processes).map(async ([name, p]) => {
    const figures: Record<string, number> = { rss_mb: rssMb(p.child.pid) };
    if ('url' in p && typeof p.url === 'string') {
      for (const [figure, metric] of Object.entries(V8_MEMORY)) figures[figure] = Math.round(((await metricValue(p.url, metric)) ?? NaN) / MB);
    }
    return [name, figures] as const;
  });
  return Object.fromEntries(await Promise.all(each));
}

/** The server processes the harness started (none for containers or given servers), by name. */
const harnessServers = (servers: ServerSet) => Object.fromEntries(Object.entries(servers.processes).map(([name, handle]) => [name, handle?.pid()]));

/** CPU time so far of each server process (with its children). */
function serverCpu(pids: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(pids)
      .filter((entry): entry is [string, number] => entry[1] !== undefined)
      .map(([name, pid]) => [name, treeCpuMs(pid)]),
  );
}

const loadGeneratorCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function perMessage(after: Record<string, number>, before: Record<string, number>, messages: number): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([name, ms]) => [name, Number(((ms - (before[name] ?? 0)) / messages).toFixed(3))]));
}

/** Closed loop: CONCURRENCY senders, each sending its next message once the last is answered, until `end`. */
async function closedLoop(traffic: Traffic, end: number): Promise<{ accepted: string[]; rejected: number }> {
  const accepted: string[] = [];
  let rejected = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const id = await traffic.send();
        if (id) accepted.push(id);
        else {
          // Refused (the bounded backlog's 503): wait as a widget honouring Retry-After would, not hammer the gateway.
          rejected++;
          await sleep(REFUSED_PAUSE_MS);
        }
      }
    }),
  );
  return { accepted, rejected };
}

async function throughput(pipeline: Loaded) {
  const { watch, traffic, superuser } = pipeline;
  // No sampling of sessions here: its queries would count in PostgreSQL's CPU per message.
  const postgresStart = await startPhase(superuser);
  const end = performance.now() + DURATION * 1000;
  // In the window's last second: the memory the load makes the processes hold.
  let underLoad: ReturnType<typeof memory> | undefined;
  const sampler = setTimeout(
    () => {
      underLoad = memory(pipeline.processes());
    },
    Math.max(DURATION * 500, DURATION * 1000 - 1000),
  );
  const cpuBefore = { ...perProcess(pipeline.processes(), cpuMs), ...serverCpu(pipeline.serverPids()), load_generator: loadGeneratorCpuMs() };
  const { accepted, rejected } = await closedLoop(traffic, end);
  clearTimeout(sampler);
  const memoryUnderLoad = (await underLoad) ?? {};
  const storedInWindow = accepted.filter((id) => (watch.storedAt.get(id) ?? Infinity) <= end).length;
  await drain(watch, accepted);
  // After the drain: a process that fell behind still spends its share on these messages.
  const services = perMessage(perProcess(pipeline.processes(), cpuMs), cpuBefore, accepted.length);
  const servers = perMessage(serverCpu(pipeline.serverPids()), cpuBefore, accepted.length);
  const loadGenerator = perMessage({ load_generator: loadGeneratorCpuMs() }, cpuBefore, accepted.length).load_generator;
  return {
    accepted: accepted.length,
    rejected,
    accepted_per_s: Math.round(accepted.length / DURATION),
    stored_per_s: Math.round(storedInWindow / DURATION),
    lost: accepted.length - (await pipeline.countStored(accepted)),
    duplicated_events: watch.duplicates,
    rss_mb_under_load: Object.fromEntries(Object.entries(memoryUnderLoad).map(([name, figures]) => [name, figures.rss_mb!])),
    memory_under_load: memoryUnderLoad,
    cpu_ms_per_accepted: services,
    server_cpu_ms_per_accepted: servers,
    load_generator_cpu_ms_per_accepted: loadGenerator,
    postgres: await phaseReport(superuser, postgresStart, accepted.length),
  };
}

async function latency(pipeline: Loaded, rate: number) {
  const { watch, traffic, superuser } = pipeline;
  const ids: Array<Promise<string | undefined>> = [];
  const postgresStart = await startPhase(superuser);
  let sent = false;
  const waits = sampleWaits(superuser, () => sent);
  const started = performance.now();
  for (let i = 0; i < rate * LATENCY_SECONDS; i++) {
    // Open loop: the next send is due at its time whatever the answers do.
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    ids.push(traffic.send());
  }
  const accepted = (await Promise.all(ids)).filter((id): id is string => id !== undefined);
  await drain(watch, accepted);
  sent = true;
  const latencies = accepted
    .map((id) => (watch.storedAt.get(id) ?? NaN) - traffic.sentAt.get(id)!)
    .filter((ms) => !Number.isNaN(ms))
    .sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN).toFixed(1));
  return {
    offered_per_s: rate,
    accepted: accepted.length,
    stored: latencies.length,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    max_ms: at(1),
    postgres: await phaseReport(superuser, postgresStart, accepted.length),
    postgres_waits: await waits,
  };
}

/**
 * Load for WARM_UP_SECONDS, then until it is all stored: JIT-compiled code, filled pools and caches before anything
 * is measured. Then the tables' statistics, as autovacuum keeps them in a running system: each connection's
 * prepared statements got their plans in the first second, from tables of a few rows, where a sequential scan is
 * cheapest, and keep them until an ANALYZE of their tables. Autovacuum's first one comes a minute or more later,
 * so without this a phase measured scans of the whole timeline per event (20,000 blocks a batch), or not, by chance.
 */
async function warmUp({ watch, traffic, superuser }: Loaded): Promise<void> {
  await drain(watch, (await closedLoop(traffic, performance.now() + WARM_UP_SECONDS * 1000)).accepted);
  await superuser?.query('ANALYZE');
}

/** Warm-up, throughput, then latency at half the throughput just sustained (or at RATE, or at the rate given). */
async function phases(under: Pipeline, load: Load, rate?: number) {
  const pipeline: Loaded = { ...under, traffic: under.trafficFor(load) };
  await warmUp(pipeline);
  const sustained = await throughput(pipeline);
  console.error(`  ${load} throughput, PostgreSQL: ${phaseSummary(sustained.postgres)}`);
  const offered = await latency(pipeline, rate ?? RATE ?? Math.max(1, Math.round(sustained.stored_per_s / 2)));
  console.error(`  ${load} latency, PostgreSQL: ${phaseSummary(offered.postgres)}; longest lock wait seen ${offered.postgres_waits.longest_lock_wait_ms} ms`);
  return { throughput: sustained, latency: offered };
}

type Phases = Awaited<ReturnType<typeof phases>>;

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

function chart(bars: ReadonlyArray<readonly [string, number]>, title: string): string {
  const max = Math.max(...bars.map(([, v]) => v));
  const rows = bars
    .map(([label, value], i) => {
      const width = Math.round((value / max) * 360);
      return `<text x="10" y="${40 + i * 30}" font-size="12">${label}</text><rect x="190" y="${28 + i * 30}" width="${width}" height="16" fill="${label.startsWith('target') ? '#bbb' : '#3b6ea8'}"/><text x="${196 + width}" y="${40 + i * 30}" font-size="12">${value}/s</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="760" height="${40 + bars.length * 30}" font-family="sans-serif"><text x="10" y="16" font-size="13" font-weight="bold">${title}</text>${rows}</svg>`;
}

/** The system with one instance of each service, its widget's visitors and the watch on stored messages. */
async function benchSystem(options: SystemOptions = {}, extraServers: Record<string, number | undefined> = {}) {
  const system = await startSystem({
    ...options,
    postgresSettings: POSTGRES_BENCH_SETTINGS,
    serviceEnv: { ...BENCH_LIMITS, ...options.serviceEnv },
    services: [],
  });
  for (const service of SERVICES) await system.start(service, {}, nodeArgs(service));
  const watch = await StoredWatch.start(system.servers.natsUrl, MessageStored.subject, (message) => [
    message.json<{ data: { message_id: string } }>().data.message_id,
  ]);
  const widget = await createWidget(system);
  const tokens: string[] = [];
  const client = new WidgetClient(system.gatewayUrl, widget);
  while (tokens.length < VISITORS)
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(CONCURRENCY, VISITORS - tokens.length) }, () => client.newVisitor()))));
  const poster = new Poster(system.gatewayUrl, { origin: widget.origin }, CONCURRENCY);
  const pipeline: Pipeline = {
    processes: () => system.processes,
    serverPids: () => ({ ...harnessServers(system.servers), ...extraServers }),
    watch,
    trafficFor: (load) => new Traffic(poster, widget, tokens.slice(0, LOADS[load].visitors), LOADS[load].order),
    countStored: async (ids) => Number((await system.sqlRow<{ count: string }>(`SELECT count(*) FROM messages WHERE id = ANY($1)`, [ids])).count),
    superuser: superuserPool(system),
  };
  await enableStatementStats(pipeline.superuser);
  const stop = async () => {
    poster.close();
    await watch.close();
    await pipeline.superuser?.end();
    await system.stop();
  };
  return { system, widget, pipeline, stop };
}

/** The bare pipeline on the system's servers (its services stopped), measured as the system is. */
async function onBarePipeline(system: RunningSystem, widgetSecret: string, rates: Record<Load, number>) {
  const bare = await startBarePipeline(system.servers, (text) => system.sql(text), widgetSecret);
  const watch = await StoredWatch.start(system.servers.natsUrl, BARE_STORED_SUBJECT, (message) => message.json<string[]>());
  const poster = new Poster(bare.url, {}, CONCURRENCY);
  const superuser = superuserPool(system);
  try {
    const tokens = Array.from({ length: VISITORS }, (_, i) => `bare-visitor-${i}`);
    const pipeline: Pipeline = {
      processes: () => bare.processes,
      serverPids: () => harnessServers(system.servers),
      watch,
      trafficFor: (load) => new Traffic(poster, { key: 'bare', secret: widgetSecret }, tokens.slice(0, LOADS[load].visitors), LOADS[load].order),
      superuser,
      countStored: async (ids) =>
        Number((await system.sqlRow<{ count: string }>(`SELECT count(*) FROM bare_messages WHERE id = ANY($1::uuid[])`, [ids])).count),
    };
    const idle = await memory(bare.processes);
    return { idle, loads: await eachLoad((load) => phases(pipeline, load, rates[load])) };
  } finally {
    poster.close();
    await watch.close();
    await superuser?.end();
    await bare.stop();
  }
}

/** Each selected load in turn, its result by its name. */
async function eachLoad<T>(run: (load: Load) => Promise<T>): Promise<Record<Load, T>> {
  const results: Partial<Record<Load, T>> = {};
  for (const load of SELECTED) {
    results[load] = await run(load);
    console.error(`  ${load} visitors: ${JSON.stringify(results[load])}`);
  }
  return results as Record<Load, T>;
}

/** (1) and (2) with every stream replicated on a 3-node cluster on loopback, and the bare publish rate there. */
async function onCluster() {
  const cluster = await startNatsCluster();
  try {
    const nodes = Object.fromEntries(cluster.nodes.map((node) => [`nats:${node.name}`, node.pid()]));
    const { pipeline, stop } = await benchSystem({ env: { ...process.env, NATS_URL: cluster.url }, serviceEnv: { NATS_STREAM_REPLICAS: '3' } }, nodes);
    try {
      const baseline = await barePublishRate(cluster.url, 3);
      console.error(`bare JetStream publish, cluster, replicas 3: ${baseline}/s`);
      console.error('cluster, replicas 3, 1 verifier, 1 contacts:');
      return { bare_jetstream_publish_per_s: baseline, one_instance_each: await eachLoad((load) => phases(pipeline, load)) };
    } finally {
      await stop();
    }
  } finally {
    await cluster.stop();
  }
}

/** A service's CPU per message over all its instances. */
const serviceCpu = (run: Phases, name: string) =>
  Object.entries(run.throughput.cpu_ms_per_accepted).reduce((sum, [process, ms]) => (process.startsWith(`${name}#`) ? sum + ms : sum), 0);
/** A service's largest resident memory under load over its instances. */
const serviceRss = (run: Phases, name: string) =>
  Math.max(0, ...Object.entries(run.throughput.rss_mb_under_load).flatMap(([process, mb]) => (process.startsWith(`${name}#`) ? [mb] : [])));
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const ratio = (value: number, target: number, atMost: boolean) => ({
  value: round(value),
  target: `${atMost ? '<=' : '>='} ${target}`,
  met: atMost ? value <= target : value >= target,
});
/** p99 POST-to-stored of a run against a target, at no more than half the rate it sustained. */
function p99Target(run: Phases, targetMs: number) {
  const halfSustained = Math.round(run.throughput.stored_per_s / 2);
  return {
    offered_per_s: run.latency.offered_per_s,
    half_sustained_per_s: halfSustained,
    p50_ms: run.latency.p50_ms,
    p99_ms: run.latency.p99_ms,
    max_ms: run.latency.max_ms,
    target: `<= ${targetMs} ms at <= half the sustained rate`,
    met: run.latency.p99_ms <= targetMs && run.latency.offered_per_s <= halfSustained,
  };
}

/** Each service and its bare twin. */
const TWINS = [
  ['gateway', 'edge'],
  ['verifier', 'consumer'],
  ['contacts', 'inserter'],
] as const;

/** The system under one load against the bare pipeline under the same load, and the issues' targets. */
function compare(load: Load, one: Phases, two: Phases, cluster: Phases, bare: Phases) {
  const rssMax = Math.max(...Object.values(one.throughput.rss_mb_under_load));
  const postgres = (run: Phases) => run.throughput.server_cpu_ms_per_accepted.postgres ?? NaN;
  return {
    ratios_to_bare: {
      stored_per_s_system_over_bare: ratio(one.throughput.stored_per_s / bare.throughput.stored_per_s, LOADS[load].stored_ratio, false),
      cpu_per_message_gateway_over_edge: ratio(serviceCpu(one, 'gateway') / serviceCpu(bare, 'edge'), TARGETS.gateway_cpu_ratio, true),
      cpu_per_message_verifier_over_consumer: ratio(serviceCpu(one, 'verifier') / serviceCpu(bare, 'consumer'), TARGETS.verifier_cpu_ratio, true),
      cpu_per_message_contacts_over_inserter: ratio(serviceCpu(one, 'contacts') / serviceCpu(bare, 'inserter'), TARGETS.contacts_cpu_ratio, true),
      cpu_per_message_postgres_over_bare: ratio(postgres(one) / postgres(bare), TARGETS.postgres_cpu_ratio, true),
      ...Object.fromEntries(
        TWINS.map(([service, twin]) => [`rss_${service}_over_${twin}`, ratio(serviceRss(one, service) / serviceRss(bare, twin), TARGETS.rss_ratio, true)]),
      ),
    },
    other_targets: {
      accepted_equals_stored: {
        accepted_per_s: one.throughput.accepted_per_s,
        stored_per_s: one.throughput.stored_per_s,
        target: `stored >= ${TARGETS.stored_of_accepted} x accepted over the window`,
        met: one.throughput.stored_per_s >= TARGETS.stored_of_accepted * one.throughput.accepted_per_s,
      },
      lost_and_duplicated: {
        lost: one.throughput.lost,
        duplicated: one.throughput.duplicated_events,
        target: '0 and 0',
        met: one.throughput.lost === 0 && one.throughput.duplicated_events === 0,
      },
      p99_ms_at_half_sustained: p99Target(one, TARGETS.p99_ms),
      p99_ms_at_half_sustained_2_2: p99Target(two, TARGETS.p99_ms),
      p99_ms_at_half_sustained_cluster_r3: p99Target(cluster, TARGETS.cluster_p99_ms),
      rss_mb_under_load: { max_mb: rssMax, target: `<= ${TARGETS.rss_mb}`, met: rssMax <= TARGETS.rss_mb },
    },
  };
}

function printComparison(load: Load, one: Phases, bare: Phases, comparison: ReturnType<typeof compare>) {
  const mark = (met: boolean) => (met ? 'met' : 'MISSED');
  const r = comparison.ratios_to_bare;
  const t = comparison.other_targets;
  const cpu = (run: Phases, name: string) => serviceCpu(run, name).toFixed(3);
  const p99 = (name: string, figure: ReturnType<typeof p99Target>) =>
    `  p99 POST-stored   ${name}: p50 ${figure.p50_ms} / p99 ${figure.p99_ms} / max ${figure.max_ms} ms at ${figure.offered_per_s}/s (half sustained ${figure.half_sustained_per_s}/s)  target ${figure.target}  ${mark(figure.met)}`;
  const lines = [
    `${load} visitors (${LOADS[load].visitors}, ${LOADS[load].order}): system (1+1+1) vs bare pipeline, same servers, same load generator (${CONCURRENCY} in flight, ${DURATION} s):`,
    `  stored/s          system ${one.throughput.stored_per_s}  bare ${bare.throughput.stored_per_s}  ratio ${r.stored_per_s_system_over_bare.value}  target ${r.stored_per_s_system_over_bare.target}  ${mark(r.stored_per_s_system_over_bare.met)}`,
    `  CPU ms/message    gateway ${cpu(one, 'gateway')} / edge ${cpu(bare, 'edge')}  ratio ${r.cpu_per_message_gateway_over_edge.value}  target ${r.cpu_per_message_gateway_over_edge.target}  ${mark(r.cpu_per_message_gateway_over_edge.met)}`,
    `                    verifier ${cpu(one, 'verifier')} / consumer ${cpu(bare, 'consumer')}  ratio ${r.cpu_per_message_verifier_over_consumer.value}  target ${r.cpu_per_message_verifier_over_consumer.target}  ${mark(r.cpu_per_message_verifier_over_consumer.met)}`,
    `                    contacts ${cpu(one, 'contacts')} / inserter ${cpu(bare, 'inserter')}  ratio ${r.cpu_per_message_contacts_over_inserter.value}  target ${r.cpu_per_message_contacts_over_inserter.target}  ${mark(r.cpu_per_message_contacts_over_inserter.met)}`,
    `                    PostgreSQL ratio ${r.cpu_per_message_postgres_over_bare.value}  target ${r.cpu_per_message_postgres_over_bare.target}  ${mark(r.cpu_per_message_postgres_over_bare.met)}`,
    `  servers ms/msg    system ${JSON.stringify(one.throughput.server_cpu_ms_per_accepted)}  bare ${JSON.stringify(bare.throughput.server_cpu_ms_per_accepted)}`,
    `  accepted/stored   system ${t.accepted_equals_stored.accepted_per_s}/${t.accepted_equals_stored.stored_per_s} per s  bare ${bare.throughput.accepted_per_s}/${bare.throughput.stored_per_s}  ${mark(t.accepted_equals_stored.met)}`,
    `  lost/duplicated   system ${t.lost_and_duplicated.lost}/${t.lost_and_duplicated.duplicated}  bare ${bare.throughput.lost}/${bare.throughput.duplicated_events}  ${mark(t.lost_and_duplicated.met)}`,
    p99('1+1+1', t.p99_ms_at_half_sustained),
    p99('1+2+2', t.p99_ms_at_half_sustained_2_2),
    p99('R3   ', t.p99_ms_at_half_sustained_cluster_r3),
    `                    bare p50 ${bare.latency.p50_ms} / p99 ${bare.latency.p99_ms} ms`,
    `  PostgreSQL waits  system ${JSON.stringify(one.latency.postgres_waits)}  bare ${JSON.stringify(bare.latency.postgres_waits)} (sessions seen, every 20 ms of the latency phase)`,
    `  PostgreSQL        system ${phaseSummary(one.throughput.postgres)}`,
    `                    bare ${phaseSummary(bare.throughput.postgres)} (throughput phase)`,
    `  RSS MB under load system ${JSON.stringify(one.throughput.rss_mb_under_load)}  bare ${JSON.stringify(bare.throughput.rss_mb_under_load)}  target ${t.rss_mb_under_load.target}  ${mark(t.rss_mb_under_load.met)}`,
    ...TWINS.map(([service, twin]) => {
      const figure = r[`rss_${service}_over_${twin}` as keyof typeof r];
      return `                    ${service} / ${twin} ratio ${figure.value}  target ${figure.target}  ${mark(figure.met)}`;
    }),
    `  memory MB, end of window (RSS; V8 heap used / total; external)  ${JSON.stringify(one.throughput.memory_under_load)}`,
  ];
  console.error(lines.join('\n'));
}

async function main() {
  const { system, widget, pipeline, stop } = await benchSystem();
  let single;
  try {
    const idle = await memory(system.processes);
    const baseline = await barePublishRate(system.servers.natsUrl);
    console.error(`bare JetStream publish: ${baseline}/s`);

    console.error('1 verifier, 1 contacts:');
    const one = await eachLoad((load) => phases(pipeline, load));
    await system.start('verifier', {}, nodeArgs('verifier'));
    await system.start('contacts', {}, nodeArgs('contacts'));
    console.error('2 verifiers, 2 contacts:');
    const two = await eachLoad((load) => phases(pipeline, load));
    // The servers stay for the bare pipeline; the services leave it the machine.
    for (const service of system.processes) await service.stop();
    console.error('bare pipeline:');
    const rates = Object.fromEntries(SELECTED.map((load) => [load, one[load].latency.offered_per_s])) as Record<Load, number>;
    const { idle: bareIdle, loads: bare } = await onBarePipeline(system, widget.secret, rates);
    single = { baseline, one, two, bare, idle, bareIdle };
  } finally {
    await stop();
  }
  const cluster = await onCluster();
  const { baseline, one, two, bare, idle, bareIdle } = single;
  const comparisons = Object.fromEntries(
    SELECTED.map((load) => [load, compare(load, one[load], two[load], cluster.one_instance_each[load], bare[load])]),
  ) as Record<Load, ReturnType<typeof compare>>;
  // Every target of every load in one flat record, `<load>: <target>`, each with its figure and met: what the closing note quotes.
  const targets = Object.fromEntries(
    SELECTED.flatMap((load) =>
      Object.entries({ ...comparisons[load].ratios_to_bare, ...comparisons[load].other_targets }).map(([name, figure]) => [`${load}: ${name}`, figure]),
    ),
  );
  const loads = Object.fromEntries(
    SELECTED.map((load) => [
      load,
      {
        visitors: LOADS[load].visitors,
        order: LOADS[load].order,
        one_instance_each: one[load],
        two_verifiers_two_contacts: two[load],
        bare_pipeline: bare[load],
        cluster_of_3_replicas_3: cluster.one_instance_each[load],
      },
    ]),
  );
  const results = {
    run_at: new Date().toISOString(),
    machine: '2 cores; NATS, Redis, PostgreSQL, the services and the load generator on the same machine',
    settings: {
      duration_s: DURATION,
      concurrency: CONCURRENCY,
      offered_rate_per_s: RATE ?? 'half the sustained rate',
      latency_window_s: LATENCY_SECONDS,
    },
    targets,
    verifier_drain_ratio: 'npm run bench:verifier (target >= 0.8); not run here',
    loads,
    bare_jetstream_publish_per_s: { single_server: baseline, cluster_r3: cluster.bare_jetstream_publish_per_s },
    memory_idle: { system: idle, bare_pipeline: bareIdle },
  };
  console.log(JSON.stringify(results, null, 2));
  for (const load of SELECTED) printComparison(load, one[load], bare[load], comparisons[load]);
  console.error(`bare JetStream publish: ${baseline}/s on one server, ${cluster.bare_jetstream_publish_per_s}/s on the R3 cluster`);
  writeFileSync(join(OUT, 'e2e-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  const bars = SELECTED.flatMap((load) => [
    [`${load}: bare pipeline`, bare[load].throughput.stored_per_s],
    [`${load}: target ${LOADS[load].stored_ratio} x bare`, Math.round(LOADS[load].stored_ratio * bare[load].throughput.stored_per_s)],
    [`${load}: 1+1+1`, one[load].throughput.stored_per_s],
    [`${load}: 1+2+2`, two[load].throughput.stored_per_s],
    [`${load}: 1+1+1, R3`, cluster.one_instance_each[load].throughput.stored_per_s],
  ]) as Array<readonly [string, number]>;
  const p99s = SELECTED.map(
    (load) => `${load} ${one[load].latency.p99_ms} / ${two[load].latency.p99_ms} / ${cluster.one_instance_each[load].latency.p99_ms} ms`,
  ).join('; ');
  writeFileSync(
    join(OUT, 'e2e-latest.svg'),
    chart(bars, `Stored messages per second; p99 POST-to-stored at half the sustained rate (1+1+1 / 1+2+2 / R3): ${p99s}`),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
