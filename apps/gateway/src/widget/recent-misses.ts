/**
 * Lookups that found nothing, remembered for a while so that a flood of the same made-up key or
 * token is answered without a query. Bounded: past `max` entries the oldest is forgotten, so a
 * flood of different made-up values costs memory up to the bound and queries within the callers'
 * address budgets.
 */
export class RecentMisses {
  /** Insertion order is expiry order: every entry lives the same time. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
  ) {}

  has(value: string): boolean {
    const until = this.until.get(value);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.until.delete(value);
    return false;
  }

  add(value: string): void {
    this.until.delete(value);
    this.until.set(value, Date.now() + this.ttlMs);
    if (this.until.size > this.max) this.until.delete(this.until.keys().next().value as string);
  }
}
