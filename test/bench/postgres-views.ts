/**
 * PostgreSQL's own view of a benchmark's phase (issue 26), read as its superuser on a server the
 * benchmark started: what it ran (pg_stat_statements), how many transactions it committed
 * (pg_stat_database) and what its sessions waited on meanwhile (pg_stat_activity, pg_locks). Each
 * function does nothing and answers undefined without a superuser (DATABASE_URL given).
 */
import { Pool } from 'pg';
import { sleep } from './stored-watch';

/** pg_stat_statements counts only when loaded at server start: the benchmarks start their PostgreSQL with this. */
export const POSTGRES_BENCH_SETTINGS = { shared_preload_libraries: 'pg_stat_statements' };

const TOP_STATEMENTS = 8;
const QUERY_CHARS = 160;

/** Once per database: the view of pg_stat_statements. */
export async function enableStatementStats(superuser: Pool | undefined): Promise<void> {
  await superuser?.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
}

/** What a phase's report counts from: transactions so far. */
interface PhaseStart {
  xact_commit: number;
  next_xid: number;
}

/** The transaction counters now: commits in this database, and the next transaction id (of any database; only writers take one). */
async function counters(superuser: Pool): Promise<PhaseStart> {
  const { rows } = await superuser.query<{ xact_commit: string; next_xid: string }>(
    `SELECT xact_commit, pg_snapshot_xmax(pg_current_snapshot())::text AS next_xid FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { xact_commit: Number(rows[0]!.xact_commit), next_xid: Number(rows[0]!.next_xid) };
}

/** The start of a measured phase: pg_stat_statements forgets what it counted so far. */
export async function startPhase(superuser: Pool | undefined): Promise<PhaseStart | undefined> {
  if (!superuser) return undefined;
  await superuser.query('SELECT pg_stat_statements_reset()');
  return counters(superuser);
}

interface StatementRow {
  query: string;
  calls: string;
  total_ms: number;
  mean_ms: number;
  max_ms: number;
  rows: string;
  hit: string;
  read: string;
}

/** The statements since `startPhase` of every role but the superuser's own (its sampling would crowd the services' out), costliest first. */
async function statements(superuser: Pool, where = 'true'): Promise<StatementRow[]> {
  const { rows } = await superuser.query<StatementRow>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), ${QUERY_CHARS}) AS query, calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms,
            max_exec_time AS max_ms, rows, shared_blks_hit AS hit, shared_blks_read AS read
     FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND userid <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND ${where}
     ORDER BY total_exec_time DESC`,
  );
  return rows;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/**
 * PostgreSQL's account of a phase of `messages` stored messages: the top statements by total time,
 * each per message, and the transactions per message. Commits come from pg_stat_database, which
 * each session updates at most once a second (a second's worth at either end may fall outside the
 * phase); writing transactions from the transaction id counter, exact. The superuser's own
 * transactions (one per sample or report) are taken out of the commits.
 */
export async function phaseReport(superuser: Pool | undefined, start: PhaseStart | undefined, messages: number) {
  if (!superuser || !start) return undefined;
  const now = await counters(superuser);
  const { rows } = await superuser.query<{ calls: string }>(
    `SELECT COALESCE(sum(calls), 0) AS calls FROM pg_stat_statements WHERE userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)`,
  );
  const all = await statements(superuser);
  const perMessage = (value: number | string) => round(Number(value) / messages, 4);
  return {
    messages,
    commits_per_message: perMessage(now.xact_commit - start.xact_commit - Number(rows[0]!.calls)),
    writing_transactions_per_message: perMessage(now.next_xid - start.next_xid),
    statement_ms_per_message: perMessage(all.reduce((sum, row) => sum + row.total_ms, 0)),
    top_statements: all.slice(0, TOP_STATEMENTS).map((row) => ({
      query: row.query,
      calls: Number(row.calls),
      total_ms: round(row.total_ms, 1),
      mean_ms: round(row.mean_ms),
      max_ms: round(row.max_ms),
      rows: Number(row.rows),
      shared_blocks_hit: Number(row.hit),
      shared_blocks_read: Number(row.read),
      calls_per_message: perMessage(row.calls),
      ms_per_message: perMessage(row.total_ms),
    })),
  };
}
export type PhaseReport = NonNullable<Awaited<ReturnType<typeof phaseReport>>>;

/** One line for a phase's report: transactions and statement time per message, and the costliest statement. */
export function phaseSummary(report: PhaseReport | undefined): string {
  if (!report) return 'no PostgreSQL views (server given)';
  const top = report.top_statements[0];
  return (
    `${report.commits_per_message} commits (${report.writing_transactions_per_message} writing) and ${report.statement_ms_per_message} ms of statements per message` +
    (top ? `; costliest ${top.ms_per_message} ms/msg, ${top.calls_per_message} calls/msg: ${top.query.slice(0, 80)}` : '')
  );
}

/** The longest single run of the statements since `startPhase` that `where` selects (a condition on pg_stat_statements' `query`). */
export async function longestStatement(superuser: Pool | undefined, where: string) {
  if (!superuser) return undefined;
  const [longest] = (await statements(superuser, where)).sort((a, b) => b.max_ms - a.max_ms);
  return longest && { query: longest.query, calls: Number(longest.calls), max_ms: round(longest.max_ms, 1), total_ms: round(longest.total_ms, 1) };
}

/**
 * What PostgreSQL's busy sessions wait on, sampled every 20 ms until `done` (pg_stat_activity): counts
 * by wait event, `on CPU` when none. Lock waits (`Lock:...`) mean a queue on rows, `Client:ClientRead`
 * a session idle in a transaction waiting for its service, `LWLock`/`IO` the server itself. And the
 * longest any session had waited for a lock when a sample saw it (pg_locks.waitstart).
 */
export async function sampleWaits(superuser: Pool | undefined, done: () => boolean) {
  const counts: Record<string, number> = {};
  let samples = 0;
  let longestLockWaitMs = 0;
  while (superuser && !done()) {
    const { rows } = await superuser.query<{ waits: Record<string, number> | null; lock_ms: number | null }>(
      `SELECT (SELECT json_object_agg(wait, n) FROM (
                 SELECT COALESCE(wait_event_type || ':' || wait_event, 'on CPU') AS wait, count(*)::int AS n FROM pg_stat_activity
                 WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') GROUP BY 1) busy) AS waits,
              (SELECT max(extract(epoch FROM clock_timestamp() - waitstart) * 1000)::float8 FROM pg_locks WHERE NOT granted) AS lock_ms`,
    );
    for (const [wait, n] of Object.entries(rows[0]?.waits ?? {})) counts[wait] = (counts[wait] ?? 0) + n;
    longestLockWaitMs = Math.max(longestLockWaitMs, rows[0]?.lock_ms ?? 0);
    samples++;
    await sleep(20);
  }
  return { samples, sessions_by_wait_event: counts, longest_lock_wait_ms: round(longestLockWaitMs, 1) };
}

/**
 * `EXPLAIN (ANALYZE, BUFFERS)` of the costliest statement pg_stat_statements holds that `where` selects,
 * run again with `args` for its parameters in a transaction rolled back (it may write): its plan on the
 * data as it is now. pg_stat_statements made the statement's constants parameters after its own: each
 * is given 1 (right for `SELECT 1` and `RETURNING 1`, the constants of the statements explained here).
 * A statement that cannot run again answers why, not a plan: the benchmark's figures come first.
 */
export async function explainAgain(superuser: Pool | undefined, where: string, args: number[]): Promise<string | undefined> {
  if (!superuser) return undefined;
  const { rows } = await superuser.query<{ query: string }>(`SELECT query FROM pg_stat_statements WHERE ${where} ORDER BY max_exec_time DESC LIMIT 1`);
  const query = rows[0]?.query;
  if (!query) return undefined;
  const parameters = Math.max(args.length, ...[...query.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
  const client = await superuser.connect();
  try {
    await client.query('BEGIN');
    await client.query(`PREPARE explained AS ${query}`);
    const values = Array.from({ length: parameters }, (_, i) => args[i] ?? 1);
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE explained(${values.join(', ')})`);
    return [query, '', ...plan.rows.map((row) => row['QUERY PLAN'])].join('\n');
  } catch (error) {
    return `${query}\n\nnot explained: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.query('ROLLBACK');
    await client.query('DEALLOCATE ALL');
    client.release();
  }
}
