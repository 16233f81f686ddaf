import { requireRow } from '@inviaro/persistence';
import { PoolClient } from 'pg';

/** The statements of one attribution transaction, on its own connection. */
export interface Sql {
  rows<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]>;
  /** The first row, if any (a lookup that may find nothing). */
  first<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T | undefined>;
  /** The row a statement always returns (an INSERT … RETURNING, a row the transaction holds). */
  one<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T>;
}

/** Statement names by text: each pooled connection parses and plans a statement once, not on every event. */
const statementNames = new Map<string, string>();

/** Runs on the transaction's own connection, as named prepared statements (the store's texts are fixed). */
export function preparedSql(client: PoolClient): Sql {
  const rows = async <T>(text: string, values: unknown[]): Promise<T[]> => {
    let name = statementNames.get(text);
    if (name === undefined) statementNames.set(text, (name = `attribution-${statementNames.size}`));
    return (await client.query({ name, text, values })).rows as T[];
  };
  const first = async <T>(text: string, values: unknown[]): Promise<T | undefined> => (await rows<T>(text, values))[0];
  const one = async <T>(text: string, values: unknown[]): Promise<T> => requireRow(await rows<T>(text, values), text);
  return { rows, first, one };
}
