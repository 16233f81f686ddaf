import { RecentMisses } from './recent-misses';

describe('RecentMisses', () => {
  afterEach(() => jest.useRealTimers());

  it('remembers a miss for its lifetime, then forgets it', () => {
    jest.useFakeTimers({ now: 0 });
    const misses = new RecentMisses(1_000, 10);
    misses.add('wt_madeup');
    expect(misses.has('wt_madeup')).toBe(true);
    expect(misses.has('wt_other')).toBe(false);
    jest.setSystemTime(1_001);
    expect(misses.has('wt_madeup')).toBe(false);
  });

  it('holds at most its bound, forgetting the oldest first', () => {
    const misses = new RecentMisses(60_000, 3);
    for (const value of ['a', 'b', 'c', 'd']) misses.add(value);
    expect(['a', 'b', 'c', 'd'].map((value) => misses.has(value))).toEqual([false, true, true, true]);
  });
});
