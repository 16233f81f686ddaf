import { MicroBatcher, Settled } from './micro-batcher';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MicroBatcher', () => {
  it('runs what arrives in one turn as one batch, and each item gets its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((n) => ({ ok: true, value: n * 10 }));
      },
      { maxBatch: 64, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((n) => batcher.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('settles an item only after its batch finished, and gathers what arrives meanwhile into the next batch', async () => {
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        const gate = deferred<void>();
        gates.push(gate);
        await gate.promise;
        return items.map((n) => ({ ok: true, value: n }));
      },
      { maxBatch: 64, maxInFlight: 1 },
    );

    let firstDone = false;
    const first = batcher.submit(1).then(() => (firstDone = true));
    await tick();
    const later = [2, 3, 4].map((n) => batcher.submit(n));
    await tick();
    expect(batches).toEqual([[1]]);
    expect(firstDone).toBe(false);
    expect(batcher.backlog).toBe(3);

    gates[0]?.resolve();
    await first;
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates[1]?.resolve();
    expect(await Promise.all(later)).toEqual([2, 3, 4]);
  });

  it('spreads a backlog over the free slots and never exceeds maxBatch', async () => {
    const { batcher, sizes } = echoBatcher({ maxBatch: 3, maxInFlight: 2 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
    expect(sizes.slice(0, 2)).toEqual([3, 3]);
  });

  it('with maxBatch 1, runs every item alone', async () => {
    const { batcher, sizes } = echoBatcher({ maxBatch: 1, maxInFlight: 8 });
    await Promise.all([1, 2, 3, 4].map((n) => batcher.submit(n)));
    expect(sizes).toEqual([1, 1, 1, 1]);
  });

  it('fails only the items that failed, and the whole batch when the batch itself fails', async () => {
    const partly = new MicroBatcher<number, number>(
      async (items) => items.map((n): Settled<number> => (n % 2 ? { ok: true, value: n } : { ok: false, error: new Error(`bad ${n}`) })),
      { maxBatch: 8, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((n) => partly.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);

    let connected = false;
    const broken = new MicroBatcher<number, number>(
      async (items) => {
        if (!connected) throw new Error('connection lost');
        return items.map((n) => ({ ok: true, value: n }));
      },
      { maxBatch: 8, maxInFlight: 1 },
    );
    const all = await Promise.allSettled([1, 2].map((n) => broken.submit(n)));
    expect(all).toEqual([
      { status: 'rejected', reason: new Error('connection lost') },
      { status: 'rejected', reason: new Error('connection lost') },
    ]);
    // The same batcher keeps working after a failed batch (its only slot was given back).
    connected = true;
    expect(await broken.submit(7)).toBe(7);
  });

  it('keeps an item waiting while an earlier item of its key is handled, and batches the other keys meanwhile', async () => {
    const gate = deferred<void>();
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        batches.push(items);
        if (items.includes('a1')) await gate.promise;
        return items.map((item) => ({ ok: true, value: item }));
      },
      { maxBatch: 8, maxInFlight: 2, keyOf: (item) => item[0] },
    );
    const a1 = batcher.submit('a1');
    await tick();
    const later = ['a2', 'b1', 'c1'].map((item) => batcher.submit(item));
    const [a2, b1, c1] = later;
    expect(await Promise.all([b1, c1])).toEqual(['b1', 'c1']);
    expect(batches).toEqual([['a1'], ['b1', 'c1']]);
    expect(batcher.backlog).toBe(1);

    gate.resolve();
    expect(await Promise.all([a1, a2])).toEqual(['a1', 'a2']);
    expect(batches).toEqual([['a1'], ['b1', 'c1'], ['a2']]);
  });

  it('frees the keys of a finished batch together, and takes each key’s ready items in one batch', async () => {
    const gates = { z: deferred<void>(), abc: deferred<void>() };
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        batches.push(items);
        if (items.includes('z1')) await gates.z.promise;
        if (items.includes('a1')) await gates.abc.promise;
        return items.map((item) => ({ ok: true, value: item }));
      },
      { maxBatch: 8, maxInFlight: 2, keyOf: (item) => item[0] },
    );
    const z = batcher.submit('z1');
    await tick();
    const abc = ['a1', 'b1', 'c1'].map((item) => batcher.submit(item));
    await tick();
    gates.z.resolve();
    await z;
    // One slot idle: what comes now waits for the keys of the batch in flight.
    const later = ['a2', 'a3', 'b2', 'b3', 'c2', 'c3'].map((item) => batcher.submit(item));
    await tick();
    expect(batches).toEqual([['z1'], ['a1', 'b1', 'c1']]);

    gates.abc.resolve();
    await Promise.all([...abc, ...later]);
    expect(batches.slice(2)).toEqual([
      ['a2', 'a3', 'b2', 'b3'],
      ['c2', 'c3'],
    ]);
  });

  it('frees a batch’s slot when the batch resolves, while an item settled later still holds its key', async () => {
    const later = deferred<Settled<string>>();
    const batches: string[][] = [];
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        batches.push(items);
        // The a-items are settled later, by work that does not hold the slot.
        return items.map((item) => (item.startsWith('a') ? later.promise : { ok: true, value: item }));
      },
      { maxBatch: 8, maxInFlight: 1, keyOf: (item) => item[0] },
    );
    let aSettled = false;
    const a1 = batcher.submit('a1').then((value) => ((aSettled = true), value));
    const b1 = batcher.submit('b1');
    expect(await b1).toBe('b1');
    await tick();
    const a2 = batcher.submit('a2');
    // The only slot is free: b2 runs while a1 is still being settled and a2 waits for it.
    expect(await batcher.submit('b2')).toBe('b2');
    expect(aSettled).toBe(false);
    expect(batches).toEqual([['a1', 'b1'], ['b2']]);

    later.resolve({ ok: true, value: 'a1 later' });
    expect(await a1).toBe('a1 later');
    await expect(a2).resolves.toBe('a1 later');
    expect(batches).toEqual([['a1', 'b1'], ['b2'], ['a2']]);
  });

  it('refuses a configuration that could never run anything', () => {
    expect(() => new MicroBatcher(async () => [], { maxBatch: 0, maxInFlight: 1 })).toThrow();
  });
});

/** A batcher that answers each item with itself, and the size of every batch it ran. */
function echoBatcher(options: { maxBatch: number; maxInFlight: number }) {
  const sizes: number[] = [];
  const batcher = new MicroBatcher<number, number>(async (items) => {
    sizes.push(items.length);
    return items.map((n) => ({ ok: true, value: n }));
  }, options);
  return { batcher, sizes };
}
