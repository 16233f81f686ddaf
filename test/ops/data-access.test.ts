import { execute, firstRow, onlyRow, openPool, prepared, queryChange, queryRows, transaction } from '@inviaro/persistence';
import { ServerSet, startServers, waitFor } from '@inviaro/test-harness';
import { Pool } from 'pg';

// The one data-access path (docs/data-model.md#data-access), on a real PostgreSQL: transactions commit or roll
// back whole, and a connection that breaks leaves the pool without ending the process.
jest.setTimeout(120_000);

describe('data access', () => {
  let servers: ServerSet;
  let pool: Pool;
  const idleErrors: Error[] = [];
  const backendOf = async (db: Pool | Parameters<Parameters<typeof transaction>[1]>[0]) =>
    (await onlyRow<{ pid: number }>(db, 'SELECT pg_backend_pid() AS pid')).pid;
  const terminate = async (pid: number) => {
    // Another connection of the same role may end it (pg_terminate_backend), as a PostgreSQL restart would.
    const other = openPool(servers.databaseUrl, 1, () => undefined);
    await execute(other, 'SELECT pg_terminate_backend($1)', [pid]).finally(() => other.end());
  };

  beforeAll(async () => {
    servers = await startServers();
    pool = openPool(servers.databaseUrl, 2, (error) => idleErrors.push(error));
    await execute(pool, 'CREATE TABLE notes (id int PRIMARY KEY, text text NOT NULL)');
  });
  afterAll(async () => {
    await pool?.end();
    await servers?.stop();
  });

  test('a transaction commits when its work returns, and leaves nothing when it throws', async () => {
    await transaction(pool, async (tx) => {
      await execute(tx, 'INSERT INTO notes VALUES (1, $1)', ['kept']);
      await execute(tx, 'INSERT INTO notes VALUES (2, $1)', ['kept too']);
    });
    await expect(
      transaction(pool, async (tx) => {
        await execute(tx, 'INSERT INTO notes VALUES (3, $1)', ['rolled back']);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await queryRows<{ id: number; text: string }>(pool, 'SELECT id, text FROM notes ORDER BY id')).toEqual([
      { id: 1, text: 'kept' },
      { id: 2, text: 'kept too' },
    ]);
  });

  test('the helpers answer typed rows, a missing row as undefined or an error, and a change with its count', async () => {
    const hot = prepared(pool);
    expect(await firstRow<{ text: string }>(hot, 'SELECT text FROM notes WHERE id = $1', [1])).toEqual({ text: 'kept' });
    expect(await firstRow<{ text: string }>(hot, 'SELECT text FROM notes WHERE id = $1', [99])).toBeUndefined();
    await expect(onlyRow(pool, 'SELECT text FROM notes WHERE id = $1', [99])).rejects.toThrow('expected a row from: SELECT text FROM notes WHERE id = $1');
    expect(await queryChange<{ id: number }>(pool, "UPDATE notes SET text = text || '!' RETURNING id", [])).toEqual({ rows: [{ id: 1 }, { id: 2 }], count: 2 });
  });

  test('a connection that breaks inside a transaction fails that transaction only, and leaves the pool', async () => {
    let pid = 0;
    await expect(
      transaction(pool, async (tx) => {
        pid = await backendOf(tx);
        await terminate(pid);
        await execute(tx, 'INSERT INTO notes VALUES (4, $1)', ['never']);
      }),
    ).rejects.toThrow();
    // The pool serves the next caller on a connection of its own, and the broken one's insert is not there.
    expect(await backendOf(pool)).not.toBe(pid);
    expect(await firstRow(pool, 'SELECT 1 FROM notes WHERE id = 4')).toBeUndefined();
  });

  test('an idle connection that breaks is told to the pool’s listener, and the pool opens another', async () => {
    const pid = await backendOf(pool);
    const heard = idleErrors.length;
    await terminate(pid);
    await waitFor('the idle connection’s error', async () => (idleErrors.length > heard ? true : undefined), 10_000);
    expect(await backendOf(pool)).not.toBe(pid);
  });
});
