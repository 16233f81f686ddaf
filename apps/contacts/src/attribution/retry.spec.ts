import { isTransient, sqlState, withRetries } from './retry';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

/** Runs a transaction that always fails with `code` under withRetries: what it gave up with, after how many calls. */
async function attemptsOfFailing(code: string, attempts: number): Promise<{ error: string; calls: number }> {
  let calls = 0;
  const failing = async () => {
    calls++;
    throw pgError(code);
  };
  const error = await withRetries(failing, { attempts, baseDelayMs: 1 }).then(
    () => 'no error',
    (thrown: Error) => thrown.message,
  );
  return { error, calls };
}

describe('retries of a transaction', () => {
  it('reads the SQLSTATE from pg errors', () => {
    expect(sqlState(pgError('40P01'))).toBe('40P01');
    expect(sqlState(new Error('plain'))).toBeUndefined();
    expect(sqlState('nope')).toBeUndefined();
  });

  it('treats lost races as transient and everything else as final', () => {
    for (const code of ['40001', '40P01', '55P03', '23505', '23503']) expect(isTransient(pgError(code))).toBe(true);
    for (const code of ['22P02', '23502', '42P01']) expect(isTransient(pgError(code))).toBe(false);
    expect(isTransient(new Error('ECONNREFUSED'))).toBe(false);
  });

  it('tries again after a deadlock, and gives up after the last attempt', async () => {
    let calls = 0;
    const value = await withRetries(
      async () => {
        if (++calls < 3) throw pgError('40P01');
        return 'done';
      },
      { attempts: 5, baseDelayMs: 1 },
    );
    expect([value, calls]).toEqual(['done', 3]);

    expect(await attemptsOfFailing('40001', 3)).toEqual({ error: 'pg 40001', calls: 3 });
  });

  it('does not repeat a failure that would fail again', async () => {
    expect(await attemptsOfFailing('23502', 5)).toEqual({ error: 'pg 23502', calls: 1 });
  });
});
