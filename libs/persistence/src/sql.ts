import { Pool, QueryConfig, QueryResult } from 'pg';

/**
 * The one data-access path (docs/data-model.md#data-access): a service's `pg.Pool`, and typed
 * helpers over it. pg answers rows of no particular type: here the caller names the row type its
 * SQL selects, once, and an empty answer is a value (`undefined`) or an error, never a crash on
 * `row.x` further down.
 */

/** What a statement runs on: the service's pool, a transaction's client, or either wrapped by `prepared`. */
export interface Sql {
  query(config: QueryConfig): Promise<QueryResult>;
}

/**
 * A service's pool: its role's DATABASE_URL, at most `size` connections. An idle connection that
 * breaks (PostgreSQL restarts) leaves the pool and is told to `onIdleError`: unheard, pg's error
 * event would end the process, where the service should only be unready until PostgreSQL is back.
 */
export function openPool(url: string, size: number, onIdleError: (error: Error) => void): Pool {
  const pool = new Pool({ connectionString: url, max: size });
  pool.on('error', onIdleError);
  return pool;
}

/** The rows of a SELECT, or of an INSERT ... RETURNING. */
export async function queryRows<Row>(db: Sql, sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.query({ text: sql, values: params })).rows as Row[];
}

/** The first row, or undefined where there is none. */
export async function firstRow<Row>(db: Sql, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  const [row] = await queryRows<Row>(db, sql, params);
  return row;
}

/** The row a statement always returns (an INSERT ... RETURNING, an aggregate): none is a bug, said as one. */
export async function onlyRow<Row>(db: Sql, sql: string, params: unknown[] = []): Promise<Row> {
  return requireRow(await queryRows<Row>(db, sql, params), sql);
}

/** The first of rows that cannot be empty; `what` (the statement, or what it reads) names the bug if they are. */
export function requireRow<Row>(rows: readonly Row[], what: string): Row {
  const [row] = rows;
  if (row === undefined) throw new Error(`expected a row from: ${what.trim().split('\n')[0]}`);
  return row;
}

/** An UPDATE or DELETE: the rows it returns and how many it changed. */
export async function queryChange<Row = never>(db: Sql, sql: string, params: unknown[] = []): Promise<{ rows: Row[]; count: number }> {
  const { rows, rowCount } = await db.query({ text: sql, values: params });
  return { rows: rows as Row[], count: rowCount ?? 0 };
}

/** A statement whose answer nobody reads (an INSERT without RETURNING, a lock). */
export async function execute(db: Sql, sql: string, params: unknown[] = []): Promise<void> {
  await db.query({ text: sql, values: params });
}

/**
 * Runs `work` in one transaction on one connection of the pool, with that connection as its `Sql`:
 * committed when `work` returns, rolled back when it throws.
 */
export async function transaction<T>(pool: Pool, work: (tx: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A broken connection (its rollback failed, or it broke between two statements) is released with its
  // error, so it leaves the pool; heard here, its error event does not end the process, and the next statement fails.
  let broken: Error | undefined;
  const onBroken = (error: Error) => (broken = error);
  client.on('error', onBroken);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken ??= await client.query('ROLLBACK').then(
      () => undefined,
      (rollback: unknown) => (rollback instanceof Error ? rollback : new Error(String(rollback))),
    );
    throw error;
  } finally {
    client.off('error', onBroken);
    client.release(broken);
  }
}

/** Statement names by text, shared by every connection: each connection parses and plans a statement once. */
const statementNames = new Map<string, string>();

/**
 * `db` with every statement sent as a named prepared statement: for a hot path of fixed texts
 * (a widget call, an attribution batch). Only for fixed single statements: each distinct text
 * stays prepared on every connection that ran it.
 */
export function prepared(db: Sql): Sql {
  return {
    query: (config: QueryConfig) => {
      let name = statementNames.get(config.text);
      if (name === undefined) statementNames.set(config.text, (name = `prepared-${statementNames.size}`));
      return db.query({ ...config, name });
    },
  };
}

/** A pool of one connection for a command's few statements (the CLI, the start command), ended when `work` is done. */
export async function withPool<T>(url: string, work: (pool: Pool) => Promise<T>): Promise<T> {
  // A broken idle connection needs no word here: the statement in hand fails with its own error.
  const pool = openPool(url, 1, () => undefined);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}
