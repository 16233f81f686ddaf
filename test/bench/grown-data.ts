/**
 * The system on a database that has grown (issue 26), against the same system on an empty one (not a
 * test). Probes made through the API on the empty database (a verified user with 60 messages, a failed
 * claim) are read there, then the database grows by SQL (grown-data-sql.ts) and the same calls are read
 * again, with those only a grown database has (a user with 200k messages). Then the folds of long
 * anonymous runs, and last the retention jobs pruning a large share of the grown rows, each while other
 * visitors' messages flow. Prints each target met or missed, keeps the figures in
 * docs/benchmarks/data-latest.json and each read's PostgreSQL plan (`EXPLAIN (ANALYZE, BUFFERS)`, from
 * auto_explain) in docs/benchmarks/data-plans.md.
 *
 *   npm run bench:data                 the sizes: 1M contacts, 2M visitors, 10M messages, 1M failures
 *   SCALE=0.01 npm run bench:data      a quick run at 1/100 of them (the fold runs scale to no less than 1/10)
 *   READS=200 INGEST_MESSAGES=5000     sequential calls per read; messages of the ingest phase
 *   SLOW_STATEMENT_MS=20               the folds' statements of 20 ms or more, with their plans, into a file it names
 *   RETENTION_MINUTES=20               how long the retention jobs may run; then what they pruned so far is reported
 */
import { ContactsConfig, VerifierConfig } from '@inviaro/config';
import { userHash } from '@inviaro/crypto';
import { MessageStored } from '@inviaro/contracts';
import { SERVICE_ROLES } from '@inviaro/persistence';
import { createWidget, RunningSystem, SERVICES, startSystem, TestWidget, WidgetClient } from '@inviaro/test-harness';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { growDatabase, GrownSizes, grownContactId, seedAnonymousRun } from './grown-data-sql';
import { Poster, Traffic } from './load-generator';
import { enableStatementStats, explainAgain, longestStatement, POSTGRES_BENCH_SETTINGS, sampleWaits, startPhase } from './postgres-views';
import { BENCH_LIMITS, drain, sleep, StoredWatch, superuserPool } from './stored-watch';

const SCALE = Number(process.env.SCALE ?? 1);
const READS = Number(process.env.READS ?? 200);
const INGEST_MESSAGES = Number(process.env.INGEST_MESSAGES ?? 5000);
const SLOW_STATEMENT_MS = process.env.SLOW_STATEMENT_MS ? Number(process.env.SLOW_STATEMENT_MS) : undefined;
const CONCURRENCY = 64;
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));
const SIZES: GrownSizes = {
  widgets: 100,
  visitors: scaled(2_000_000),
  contacts: scaled(1_000_000),
  messages: scaled(10_000_000),
  failures: scaled(1_000_000),
  // The first whale is the user whose detail and history are read (200k messages); the others make the table's tail heavy.
  whales: [scaled(200_000), scaled(100_000), scaled(100_000)],
};
/** A run of a few hundred events says nothing about linearity: the fold runs scale to no less than a tenth. */
const FOLD_RUNS = [10_000, 20_000, 100_000].map((n) => Math.round(n * Math.max(SCALE, 0.1)));
/** Other visitors' messages per second while a fold runs, from these many visitors. */
const OTHERS_RATE = 50;
const OTHER_VISITORS = 50;
const TARGETS = {
  ingest_ratio: 0.8,
  history_p99_ms: 20,
  inbox_p99_ms: 50,
  failures_p99_ms: 20,
  detail_p99_ms: 50,
  others_delayed_ms: 100,
  fold_per_event_ratio: 2,
  /** No retention DELETE may hold its locks longer. */
  retention_statement_ms: 1000,
};
/** How far back the retention phase moves the older half of the grown timeline and failure records: past every retention period. */
const AGED_BY = '200 days';
/** How long the benchmark lets the retention jobs run (RETENTION_MINUTES): past it, it reports what they pruned so far. */
const RETENTION_MS = Number(process.env.RETENTION_MINUTES ?? 20) * 60 * 1000;
const OUT = join(__dirname, '..', '..', '..', 'docs', 'benchmarks');

type Call = () => Promise<{ status: number }>;
interface Read {
  name: string;
  call: Call;
  target_p99_ms: number;
}

const percentile = (sorted: number[], q: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN).toFixed(1));

/** READS sequential calls: p50 and p99 in ms; a call that does not answer 200 stops the benchmark (a figure of errors means nothing). */
async function timeRead(read: Read): Promise<{ p50_ms: number; p99_ms: number }> {
  const times: number[] = [];
  for (let i = 0; i < READS; i++) {
    const started = performance.now();
    const { status } = await read.call();
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`${read.name}: answered ${status}`);
  }
  times.sort((a, b) => a - b);
  return { p50_ms: percentile(times, 0.5), p99_ms: percentile(times, 0.99) };
}

/** The system, its widget, a visitor pool for load, and the watch on stored messages. */
async function benchSystem(logDir: string) {
  const system = await startSystem({ logDir, serviceEnv: BENCH_LIMITS, postgresSettings: POSTGRES_BENCH_SETTINGS });
  const superuser = superuserPool(system);
  await enableStatementStats(superuser);
  const widget = await createWidget(system);
  const client = new WidgetClient(system.gatewayUrl, widget);
  const watch = await StoredWatch.start(system.servers.natsUrl, MessageStored.subject, (message) => [
    message.json<{ data: { message_id: string } }>().data.message_id,
  ]);
  const poster = new Poster(system.gatewayUrl, { origin: widget.origin }, CONCURRENCY);
  const tokens = await Promise.all(Array.from({ length: OTHER_VISITORS }, () => client.newVisitor()));
  return { system, superuser, widget, client, watch, poster, traffic: new Traffic(poster, widget, tokens) };
}
type Bench = Awaited<ReturnType<typeof benchSystem>>;

/** A claim for `userId` under the widget's secret. */
const claim = (widget: TestWidget, userId: string) => ({ user_id: userId, user_hash: userHash(userId, widget.secret) });
/** A user's email, as the grown users have it (grown-data-sql.ts) and the probe user gives it. */
const emailOf = (userId: string) => `${userId}@example.com`;

/** Made through the API on the empty database: a verified user with 60 messages (its email an attribute of each) and a failed claim of it. */
async function probes({ client, watch, widget, system }: Bench) {
  const token = await client.newVisitor();
  const ids: string[] = [];
  for (let i = 0; i < 60; i++) {
    const fields = { client_message_id: `probe-${i}`, text: `probe ${i}`, email: emailOf('probe-user'), ...claim(widget, 'probe-user') };
    ids.push((await client.postMessage(token, fields)).body.message_id);
  }
  await client.postMessage(token, { client_message_id: 'probe-failed', text: 'a failed claim', user_id: 'probe-user', user_hash: '0'.repeat(64) });
  await drain(watch, ids);
  const contact = await system.sqlRow<{ id: string }>(`SELECT id FROM contacts WHERE workspace_id = $1 AND user_id = 'probe-user'`, [widget.workspaceId]);
  return { token, contactId: contact.id };
}

/** The reads the issue lists, for a user `userId` (whose contact is `contactId`) read from the visitor `token`. */
async function reads(bench: Bench, label: string, token: string, userId: string, contactId: string): Promise<Read[]> {
  const { client, widget } = bench;
  const history = (before?: string) => client.call<{ next_cursor: string | null }>('history', { visitor_token: token, ...claim(widget, userId), before });
  // A deep page: twenty pages back (or the last there is).
  let deep: string | undefined;
  for (let page = 0; page < 20; page++) {
    const next = (await history(deep)).body.next_cursor;
    if (!next) break;
    deep = next;
  }
  const admin = (path: string) => () => widget.admin.call('GET', path);
  // The thread the inbox opens for the user.
  const detail = await widget.admin.call<{ conversations: Array<{ id: string }> }>('GET', `contacts/${contactId}`);
  const thread = detail.body.conversations[0]!.id;
  return [
    { name: `history first page, ${label}`, call: () => history(), target_p99_ms: TARGETS.history_p99_ms },
    { name: `history deep page, ${label}`, call: () => history(deep), target_p99_ms: TARGETS.history_p99_ms },
    { name: `contact detail, ${label}`, call: admin(`contacts/${contactId}`), target_p99_ms: TARGETS.detail_p99_ms },
    { name: `inbox thread messages, ${label}`, call: admin(`conversations/${thread}/messages`), target_p99_ms: TARGETS.inbox_p99_ms },
    { name: `admin contacts ?user_id=, ${label}`, call: admin(`contacts?user_id=${encodeURIComponent(userId)}`), target_p99_ms: TARGETS.inbox_p99_ms },
    { name: `admin contacts ?email=, ${label}`, call: admin(`contacts?email=${encodeURIComponent(emailOf(userId))}`), target_p99_ms: TARGETS.inbox_p99_ms },
    { name: `failures by user, ${label}`, call: admin(`verification-failures?user_id=${encodeURIComponent(userId)}`), target_p99_ms: TARGETS.failures_p99_ms },
  ];
}

/** The inbox's list calls (the same on both databases). */
function inboxReads({ widget }: Bench): Read[] {
  const admin = (path: string) => () => widget.admin.call('GET', path);
  return [
    { name: 'admin contacts, first page', call: admin('contacts'), target_p99_ms: TARGETS.inbox_p99_ms },
    { name: 'admin contacts ?verified=true', call: admin('contacts?verified=true'), target_p99_ms: TARGETS.inbox_p99_ms },
  ];
}

/** INGEST_MESSAGES from the visitor pool, CONCURRENCY in flight: stored per second until the last is stored. */
async function ingest({ traffic, watch }: Bench): Promise<number> {
  const started = performance.now();
  let next = 0;
  const accepted: string[] = [];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < INGEST_MESSAGES) {
        const id = await traffic.send();
        if (id) accepted.push(id);
      }
    }),
  );
  await drain(watch, accepted);
  const last = Math.max(...accepted.map((id) => watch.storedAt.get(id) ?? Infinity));
  return Math.round(accepted.length / ((last - started) / 1000));
}

/**
 * OTHERS_RATE messages a second from the pool's visitors, open loop, until `stop`: which answers, once
 * they are all stored, the longest POST-to-stored of those sent in each of the `windows` asked (start, end; performance.now()).
 */
function othersSending({ traffic, watch }: Bench) {
  const others: Array<Promise<string | undefined>> = [];
  let sending = true;
  const background = (async () => {
    const started = performance.now();
    for (let i = 0; sending; i++) {
      const wait = started + (i * 1000) / OTHERS_RATE - performance.now();
      if (wait > 1) await sleep(wait);
      others.push(traffic.send());
    }
  })();
  return {
    async stop(windows: Array<[number, number]>) {
      sending = false;
      await background;
      const ids = (await Promise.all(others)).filter((id): id is string => id !== undefined);
      await drain(watch, ids);
      const delay = (id: string) => (watch.storedAt.get(id) ?? Infinity) - traffic.sentAt.get(id)!;
      const longest = ([from, to]: [number, number]) =>
        Number(Math.max(0, ...ids.filter((id) => traffic.sentAt.get(id)! >= from && traffic.sentAt.get(id)! <= to).map(delay)).toFixed(1));
      return { sent: ids.length, max_ms: Number(Math.max(...ids.map(delay)).toFixed(1)), max_ms_in: windows.map(longest) };
    },
  };
}

/**
 * A visitor with `size` anonymous events verifies while OTHERS_RATE messages a second come from other
 * visitors: how long until its contact is folded, and the longest POST-to-stored of the others meanwhile.
 */
async function fold(bench: Bench, size: number) {
  const { client, watch, widget, system } = bench;
  const token = await client.newVisitor();
  const first = (await client.postMessage(token, { client_message_id: `fold-${size}`, text: 'before login' })).body.message_id;
  await drain(watch, [first]);
  const anonymous = await seedAnonymousRun(system, first, size - 1);

  const others = othersSending(bench);
  await sleep(1000);
  const identified = performance.now();
  const answer = await client.call('identify', { visitor_token: token, ...claim(widget, `fold-user-${size}`) });
  if (answer.status !== 202) throw new Error(`identify answered ${answer.status}`);
  while ((await system.sqlRow<{ merged: boolean }>(`SELECT merged_into_id IS NOT NULL AS merged FROM contacts WHERE id = $1`, [anonymous])).merged === false) {
    await sleep(5);
  }
  const folded = performance.now();
  await sleep(1000);
  const delays = await others.stop([[identified - 100, folded]]);
  return {
    anonymous_events: size,
    fold_ms: Number((folded - identified).toFixed(1)),
    others_sent: delays.sent,
    others_max_ms: delays.max_ms,
    others_max_ms_during_fold: delays.max_ms_in[0]!,
  };
}

/**
 * The tables whose older half the retention phase ages, the service whose retention job prunes each,
 * their time columns (the last one is what expires) and their retention periods (the settings' defaults).
 */
const RETENTION_JOBS = [
  { table: 'visitor_events', service: 'contacts', times: ['received_at'], days: new ContactsConfig().VISITOR_EVENTS_RETENTION_DAYS },
  { table: 'verification_failures', service: 'verifier', times: ['first_at', 'at'], days: new VerifierConfig().FAILURE_RETENTION_DAYS },
] as const;
/** Rows per retention DELETE (libs/persistence/src/retention.ts). */
const RETENTION_BATCH = 5000;
type RetentionJob = (typeof RETENTION_JOBS)[number];

/** The rows of a table older than any grown row: those ageGrownRows moved back. */
async function agedRows(system: RunningSystem, { table, times }: RetentionJob): Promise<number> {
  const [row] = await system.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${times[times.length - 1]} < now() - interval '100 days'`);
  return row!.n;
}

/** The older half of the grown timeline and failure records moved back past their retention periods; how many rows of each. */
async function ageGrownRows(system: RunningSystem): Promise<Record<string, number>> {
  const started = performance.now();
  const aged: Record<string, number> = {};
  for (const job of RETENTION_JOBS) {
    const moved = job.times.map((column) => `${column} = ${column} - interval '${AGED_BY}'`).join(', ');
    await system.sql(`UPDATE ${job.table} SET ${moved} WHERE ${job.times[job.times.length - 1]} < now() - interval '10 days'`);
    aged[job.table] = await agedRows(system, job);
  }
  // As a database that grew over time would be: its dead rows vacuumed, its statistics current.
  await system.sql(`VACUUM (ANALYZE) ${RETENTION_JOBS.map(({ table }) => table).join(', ')}`);
  console.error(`  aged ${JSON.stringify(aged)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return aged;
}

/** What a retention job logged for `table` in `<logDir>/<service>.log` after byte `from`: that it ended (with rows pruned) or failed; undefined while it runs. */
function retentionOutcome(logDir: string, { service, table }: RetentionJob, from: number): 'pruned' | { failed: string } | undefined {
  for (const line of readFileSync(join(logDir, `${service}.log`), 'utf8')
    .slice(from)
    .split('\n')) {
    if (!line.includes('"msg":"retention')) continue;
    const entry = JSON.parse(line) as { table?: string; error?: string; msg: string };
    if (entry.table !== table) continue;
    return entry.msg === 'retention pruned old rows' ? 'pruned' : { failed: entry.error ?? entry.msg };
  }
  return undefined;
}

/**
 * The retention jobs over the grown tables: the older half of their rows expired (ageGrownRows), then
 * another contacts and another verifier instance start (each runs its jobs as it starts) while OTHERS_RATE
 * messages a second come from other visitors. Rows pruned and how long it took (from the instances'
 * start; at most RETENTION_MS, then what was pruned so far), the longest single DELETE
 * (pg_stat_statements), the longest lock wait any session had, and the longest POST-to-stored of the
 * others from the instances' readiness until the pruning ended, in all and in each of about 60 slices.
 */
async function retention(bench: Bench, logDir: string) {
  const { system, superuser } = bench;
  const aged = await ageGrownRows(system);
  const from = RETENTION_JOBS.map(({ service }) => statSync(join(logDir, `${service}.log`)).size);
  await startPhase(superuser);
  let pruned = false;
  const waits = sampleWaits(superuser, () => pruned);
  const others = othersSending(bench);
  const started = performance.now();
  for (const { service } of RETENTION_JOBS) await system.start(service);
  const ready = performance.now();
  const outcomes: Array<ReturnType<typeof retentionOutcome>> = RETENTION_JOBS.map(() => undefined);
  while (outcomes.includes(undefined) && performance.now() - started < RETENTION_MS) {
    await sleep(100);
    RETENTION_JOBS.forEach((job, i) => (outcomes[i] ??= retentionOutcome(logDir, job, from[i]!)));
  }
  const done = performance.now();
  pruned = true;
  const failed = outcomes.filter((outcome) => typeof outcome === 'object');
  if (failed.length) throw new Error(`retention failed: ${JSON.stringify(failed)}`);
  const deletes = ({ table }: RetentionJob) => `query LIKE '%DELETE FROM ${table} %'`;
  const longestDelete = Object.fromEntries(
    await Promise.all(RETENTION_JOBS.map(async (job) => [job.table, await longestStatement(superuser, deletes(job))] as const)),
  );
  const lockWaits = await waits;
  // Also by slice: a new instance's first messages are slow (cold code, new connections) whatever it prunes.
  const slice = Math.max(1000, (done - ready) / 60);
  const slices = Array.from({ length: Math.ceil((done - ready) / slice) }, (_, i): [number, number] => [
    ready + i * slice,
    Math.min(done, ready + (i + 1) * slice),
  ]);
  const delays = await others.stop([[ready, done], ...slices]);
  const prunedRows: Record<string, number> = {};
  for (const job of RETENTION_JOBS) prunedRows[job.table] = aged[job.table]! - (await agedRows(system, job));
  // Each job's DELETE once more, on what the phase left (nothing more to delete once it finished).
  const plans: string[] = [];
  for (const job of RETENTION_JOBS) {
    const plan = await explainAgain(superuser, deletes(job), [job.days, RETENTION_BATCH, 1]);
    plans.push(`## retention job of ${job.table}, after the phase\n\n\`\`\`\n${plan ?? 'no plan: the PostgreSQL server was given (DATABASE_URL)'}\n\`\`\`\n`);
  }
  return {
    aged_rows: aged,
    pruned_rows: prunedRows,
    finished: Object.fromEntries(RETENTION_JOBS.map(({ table }, i) => [table, outcomes[i] === 'pruned'])),
    prune_s: Number(((done - started) / 1000).toFixed(1)),
    longest_delete: longestDelete,
    longest_lock_wait_ms: lockWaits.longest_lock_wait_ms,
    sessions_by_wait_event: lockWaits.sessions_by_wait_event,
    others_sent: delays.sent,
    others_max_ms_during_pruning: delays.max_ms_in[0]!,
    others_slice_s: Number((slice / 1000).toFixed(1)),
    others_max_ms_by_slice: delays.max_ms_in.slice(1),
    plans,
  };
}

/**
 * `work` with auto_explain logging the statements of the gateway's and contacts' roles that take at
 * least `minDurationMs`, with `EXPLAIN (ANALYZE, BUFFERS)`, to PostgreSQL's log (`logDir`/postgres.log):
 * a superuser's role settings, those services restarted so that their sessions load it; reset after,
 * and the services restarted again, so that no later phase pays for the plans. Undefined when the
 * benchmark did not start PostgreSQL itself (DATABASE_URL given).
 */
async function withAutoExplain<T>(system: RunningSystem, minDurationMs: number, work: () => Promise<T>): Promise<T | undefined> {
  const superuser = superuserPool(system);
  if (!superuser) return undefined;
  const roles = [SERVICE_ROLES.gateway, SERVICE_ROLES.contacts];
  const settings = {
    session_preload_libraries: 'auto_explain',
    'auto_explain.log_min_duration': String(minDurationMs),
    'auto_explain.log_analyze': 'on',
    'auto_explain.log_buffers': 'on',
  };
  try {
    for (const role of roles) for (const [name, value] of Object.entries(settings)) await superuser.query(`ALTER ROLE ${role} SET ${name} = '${value}'`);
    await restart(system, ['gateway', 'contacts']);
    return await work();
  } finally {
    for (const role of roles) for (const name of Object.keys(settings)) await superuser.query(`ALTER ROLE ${role} RESET ${name}`);
    await superuser.end();
    await restart(system, ['gateway', 'contacts']);
  }
}

/** The plans auto_explain logged while `work` ran. */
async function plansDuring(logDir: string, work: () => Promise<unknown>): Promise<string[]> {
  const log = join(logDir, 'postgres.log');
  const from = statSync(log).size;
  await work();
  await sleep(300); // the log is written as the statements end
  return plansIn(readFileSync(log, 'utf8').slice(from));
}

/** Each read's statements as PostgreSQL ran them, with `EXPLAIN (ANALYZE, BUFFERS)`. */
async function explainReads(bench: Bench, readsToExplain: Read[], logDir: string): Promise<string> {
  const sections = await withAutoExplain(bench.system, 0, async () => {
    const explained: string[] = [];
    for (const read of readsToExplain) explained.push(`## ${read.name}\n\n${(await plansDuring(logDir, read.call)).join('\n\n')}\n`);
    return explained;
  });
  return sections?.join('\n') ?? 'No plans: the PostgreSQL server was given (DATABASE_URL), and the benchmark sets auto_explain only on its own.\n';
}

/** Stops and starts these services, whose new sessions then take their roles' settings. */
async function restart(system: RunningSystem, services: Array<(typeof SERVICES)[number]>): Promise<void> {
  for (const service of services) {
    for (const running of system.processes.filter((p) => p.name === service && p.child.exitCode === null)) await running.stop();
    await system.start(service);
  }
}

/** The auto_explain entries in a stretch of PostgreSQL's log, each as a fenced block (the lines after `plan:`, tab-indented). */
function plansIn(log: string): string[] {
  const plans: string[] = [];
  let current: string[] | undefined;
  for (const line of log.split('\n')) {
    if (/LOG: {2}duration: [\d.]+ ms {2}plan:/.test(line)) {
      current = [line.replace(/^.*LOG: {2}/, '')];
      plans.push('');
    } else if (current && line.startsWith('\t')) {
      current.push(line.slice(1));
    } else if (current) {
      plans[plans.length - 1] = `\`\`\`\n${current.join('\n')}\n\`\`\``;
      current = undefined;
    }
  }
  if (current) plans[plans.length - 1] = `\`\`\`\n${current.join('\n')}\n\`\`\``;
  return plans.filter((plan) => plan !== '' && !plan.includes('Query Text: COMMIT') && !plan.includes('Query Text: BEGIN'));
}

async function measureReads(list: Read[]) {
  const results: Record<string, { p50_ms: number; p99_ms: number; target_p99_ms: number }> = {};
  for (const read of list) {
    results[read.name] = { ...(await timeRead(read)), target_p99_ms: read.target_p99_ms };
    console.error(`  ${read.name}: p50 ${results[read.name]!.p50_ms} ms, p99 ${results[read.name]!.p99_ms} ms`);
  }
  return results;
}

async function main() {
  const logDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
  const bench = await benchSystem(logDir);
  try {
    console.error(`sizes: ${JSON.stringify(SIZES)}; fold runs ${FOLD_RUNS.join(', ')}; ${READS} reads each`);
    const probe = await probes(bench);
    const probeReads = [...inboxReads(bench), ...(await reads(bench, 'ordinary verified user', probe.token, 'probe-user', probe.contactId))];
    console.error('empty database:');
    const emptyIngest = await ingest(bench);
    console.error(`  ingest: ${emptyIngest} stored/s`);
    const empty = await measureReads(probeReads);

    const growStarted = performance.now();
    await growDatabase(bench.system, bench.widget.workspaceId, SIZES);
    const size = await bench.system.sqlRow<{ size: string }>(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`);
    console.error(`grown in ${((performance.now() - growStarted) / 1000).toFixed(1)} s to ${size.size}:`);
    const whaleReads = await reads(bench, `user with ${SIZES.whales[0]} messages`, probe.token, 'grown-user-1', grownContactId(1));
    const grownReads = [...probeReads, ...whaleReads];
    const grown = await measureReads(grownReads);
    const grownIngest = await ingest(bench);
    console.error(`  ingest: ${grownIngest} stored/s`);
    const folds: Array<Awaited<ReturnType<typeof fold>>> = [];
    const foldAll = async () => {
      for (const run of FOLD_RUNS) {
        folds.push(await fold(bench, run));
        console.error(`  fold: ${JSON.stringify(folds[folds.length - 1])}`);
      }
    };
    // SLOW_STATEMENT_MS=n: what PostgreSQL ran for n ms or more during the folds, with its plan, into the log (ANALYZE costs time).
    if (SLOW_STATEMENT_MS === undefined) await foldAll();
    else {
      const slow = await withAutoExplain(bench.system, SLOW_STATEMENT_MS, () => plansDuring(logDir, foldAll));
      writeFileSync(join(logDir, 'slow-statements.md'), (slow ?? []).join('\n\n'));
      console.error(`  ${slow?.length ?? 0} statements of ${SLOW_STATEMENT_MS} ms or more during the folds: ${join(logDir, 'slow-statements.md')}`);
    }
    const plans = await explainReads(bench, grownReads, logDir);
    const { plans: retentionPlans, ...pruning } = await retention(bench, logDir);
    console.error(`  retention: ${JSON.stringify(pruning)}`);
    const longestDeleteMs = Math.max(...Object.values(pruning.longest_delete).map((statement) => statement?.max_ms ?? NaN));

    const perEvent = folds.map((f) => f.fold_ms / f.anonymous_events);
    const targets = {
      ingest_ratio: {
        value: Number((grownIngest / emptyIngest).toFixed(2)),
        target: `>= ${TARGETS.ingest_ratio}`,
        met: grownIngest >= TARGETS.ingest_ratio * emptyIngest,
      },
      ...Object.fromEntries(
        Object.entries(grown).map(([name, figures]) => [
          name,
          { p99_ms: figures.p99_ms, target: `<= ${figures.target_p99_ms} ms`, met: figures.p99_ms <= figures.target_p99_ms },
        ]),
      ),
      fold_linear: {
        ms_per_1000_events: perEvent.map((ms) => Number((ms * 1000).toFixed(1))),
        target: `the largest run's ms per event <= ${TARGETS.fold_per_event_ratio} x the smallest's`,
        met: perEvent[perEvent.length - 1]! <= TARGETS.fold_per_event_ratio * perEvent[0]!,
      },
      others_delayed_during_fold: {
        max_ms: Math.max(...folds.map((f) => f.others_max_ms_during_fold)),
        target: `<= ${TARGETS.others_delayed_ms} ms`,
        met: folds.every((f) => f.others_max_ms_during_fold <= TARGETS.others_delayed_ms),
      },
      retention_longest_delete: {
        max_ms: longestDeleteMs,
        pruned_rows: pruning.pruned_rows,
        finished: pruning.finished,
        prune_s: pruning.prune_s,
        target: `no retention DELETE over ${TARGETS.retention_statement_ms} ms (the longest a statement holds its locks)`,
        met: longestDeleteMs <= TARGETS.retention_statement_ms,
      },
      others_delayed_during_retention: {
        max_ms: pruning.others_max_ms_during_pruning,
        longest_lock_wait_ms: pruning.longest_lock_wait_ms,
        target: `<= ${TARGETS.others_delayed_ms} ms`,
        met: pruning.others_max_ms_during_pruning <= TARGETS.others_delayed_ms,
      },
    };
    const results = {
      run_at: new Date().toISOString(),
      machine: '2 cores; NATS, Redis, PostgreSQL, the services and the load generator on the same machine',
      settings: { scale: SCALE, sizes: SIZES, fold_runs: FOLD_RUNS, reads: READS, ingest_messages: INGEST_MESSAGES, database_size: size.size },
      targets,
      empty: { ingest_stored_per_s: emptyIngest, reads: empty },
      grown: { ingest_stored_per_s: grownIngest, reads: grown, folds, retention: pruning },
    };
    console.log(JSON.stringify(results, null, 2));
    for (const [name, figure] of Object.entries(targets)) console.error(`${figure.met ? 'met   ' : 'MISSED'} ${name}: ${JSON.stringify(figure)}`);
    writeFileSync(join(OUT, 'data-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(
      join(OUT, 'data-plans.md'),
      `# Plans of the reads on a grown database\n\n\`npm run bench:data\` at scale ${SCALE} (${JSON.stringify(SIZES)}), ${results.run_at}: each read's statements with \`EXPLAIN (ANALYZE, BUFFERS)\`, as auto_explain logged them; last, each retention job's DELETE run again after the retention phase (rolled back).\n\n${plans}\n${retentionPlans.join('\n')}`,
    );
  } finally {
    bench.poster.close();
    await bench.watch.close();
    await bench.superuser?.end();
    await bench.system.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
