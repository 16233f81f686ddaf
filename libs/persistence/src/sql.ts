import { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Plain SQL through TypeORM, typed. `query()` answers `any`: here the caller names the row type
 * its SQL selects, once, and an empty answer is a value (`undefined`) or an error, never a crash
 * on `row.x` further down. `db` is the DataSource or a transaction's EntityManager.
 */
export type SqlRunner = Pick<EntityManager, 'query'>;

/** The rows of a SELECT, or of an INSERT ... RETURNING. */
export async function queryRows<Row>(db: SqlRunner, sql: string, params: unknown[] = []): Promise<Row[]> {
  return db.query<Row[]>(sql, params);
}

/** The first row, or undefined where there is none. */
export async function firstRow<Row>(db: SqlRunner, sql: string, params: unknown[] = []): Promise<Row | undefined> {
  const [row] = await queryRows<Row>(db, sql, params);
  return row;
}

/** The row a statement always returns (an INSERT ... RETURNING, an aggregate): none is a bug, said as one. */
export async function onlyRow<Row>(db: SqlRunner, sql: string, params: unknown[] = []): Promise<Row> {
  return requireRow(await queryRows<Row>(db, sql, params), sql);
}

/** The first of rows that cannot be empty, from any client; `what` (the statement, or what it reads) names the bug if they are. */
export function requireRow<Row>(rows: readonly Row[], what: string): Row {
  const [row] = rows;
  if (row === undefined) throw new Error(`expected a row from: ${what.trim().split('\n')[0]}`);
  return row;
}

/** An UPDATE or DELETE: the rows it returns and how many it changed (TypeORM's postgres driver answers these as a pair). */
export async function queryChange<Row = never>(db: SqlRunner, sql: string, params: unknown[] = []): Promise<{ rows: Row[]; count: number }> {
  const [rows, count] = await db.query<[Row[], number]>(sql, params);
  return { rows, count };
}

/** A statement whose answer nobody reads (an INSERT without RETURNING, a lock). */
export async function execute(db: SqlRunner, sql: string, params: unknown[] = []): Promise<void> {
  await db.query<unknown>(sql, params);
}

/** The pg pool behind a DataSource, for a hot path that skips TypeORM's query path. */
export function postgresPool(db: DataSource): Pool {
  return (db.driver as PostgresDriver).master as Pool;
}
