import { performance } from 'node:perf_hooks';
import { runsByContact } from './close-run';

/** A run of `size` anonymous events spread over a few contacts (a split run), as the run query returns it. */
function runOf(size: number): Array<{ message_id: string; contact_id: string }> {
  return Array.from({ length: size }, (_, i) => ({ message_id: `m${i}`, contact_id: `c${i % 3}` }));
}

/** The fastest of 20 groupings of a run of `size`, in ms: the one least disturbed by garbage collection and other work on the machine. */
function fastestGrouping(size: number): number {
  const run = runOf(size);
  let fastest = Infinity;
  for (let attempt = 0; attempt < 20; attempt++) {
    const started = performance.now();
    runsByContact(run);
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

describe('runsByContact', () => {
  it('groups the run by contact, keeping the ids of each contact in received order', () => {
    const grouped = runsByContact([
      { message_id: 'a', contact_id: 'x' },
      { message_id: 'b', contact_id: 'y' },
      { message_id: 'c', contact_id: 'x' },
    ]);
    expect([...grouped]).toEqual([
      ['x', ['a', 'c']],
      ['y', ['b']],
    ]);
  });

  it('takes time linear in the run: 40,000 events take less than 6 times as long as 10,000', () => {
    fastestGrouping(10_000); // warm up the JIT, so the first size does not pay for compiling
    const small = fastestGrouping(10_000);
    const large = fastestGrouping(40_000);
    // Quadratic grouping (a copy of the list per event) takes about 16 times as long; linear about 4.
    expect(large / small).toBeLessThan(6);
    expect(runsByContact(runOf(40_000)).get('c0')).toHaveLength(13_334);
  });
});
