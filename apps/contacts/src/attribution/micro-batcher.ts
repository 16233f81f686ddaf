export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A batch's result for one item: settled when the batch is, or later, by work that goes on without the batch's slot. */
export type Outcome<T> = Settled<T> | Promise<Settled<T>>;

export interface MicroBatcherOptions {
  /** Most items in one batch; 1 turns batching off. */
  maxBatch: number;
  /** Batches running at once; items that arrive while all are busy wait and go together in the next. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  key: unknown;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a queue consumer: items that arrive in the same turn of the event loop, or while
 * every batch slot is busy, are handed to `run` together (one transaction for the lot). Nothing
 * waits for a timer: when load is light each item runs at once on its own, and under a burst the
 * batches grow by themselves. Each item's promise settles only when its result has, so a consumer
 * that acknowledges after `submit` resolves acknowledges after the commit.
 *
 * Items of one key (`keyOf`) are handled in order: an item waits while an earlier one of its key is
 * being handled, in a batch or after it (an Outcome that is a promise), and the batches meanwhile take
 * the items of other keys. A batch's slot is free again once `run` resolves, whatever its promises still do.
 */
export class MicroBatcher<I, O> {
  private waiting: Array<Waiting<I, O>> = [];
  /** Items being handled, by key. */
  private readonly busy = new Map<unknown, number>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<Outcome<O>>>,
    private readonly options: MicroBatcherOptions & { keyOf?: (item: I) => unknown },
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new Error('maxBatch and maxInFlight must be at least 1');
  }

  submit(item: I): Promise<O> {
    // Without keyOf, every item is a key of its own.
    const key = this.options.keyOf ? this.options.keyOf(item) : {};
    const settled = new Promise<O>((resolve, reject) => this.waiting.push({ item, key, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // Whatever else arrives in this turn joins the same batch.
      setImmediate(() => {
        this.scheduled = false;
        this.dispatch();
      });
    }
    return settled;
  }

  /** Items waiting for a batch slot, or for an earlier item of their key (for tests and metrics). */
  get backlog(): number {
    return this.waiting.length;
  }

  private dispatch(): void {
    while (this.inFlight < this.options.maxInFlight) {
      const ready = this.waiting.filter((waiting) => !this.busy.has(waiting.key));
      if (ready.length === 0) return;
      // Spread what is ready over the free slots, so that one slot does not take it all while others idle.
      const free = this.options.maxInFlight - this.inFlight;
      const target = Math.ceil(ready.length / free);
      // A key taken brings its other ready items along (up to maxBatch): they would only wait for this batch.
      const batch: Array<Waiting<I, O>> = [];
      const keys = new Set<unknown>();
      for (const waiting of ready) {
        if (batch.length >= this.options.maxBatch) break;
        if (batch.length >= target && !keys.has(waiting.key)) continue;
        keys.add(waiting.key);
        batch.push(waiting);
      }
      const taken = new Set(batch);
      this.waiting = this.waiting.filter((waiting) => !taken.has(waiting));
      for (const { key } of batch) this.busy.set(key, (this.busy.get(key) ?? 0) + 1);
      this.inFlight++;
      void this.settle(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    this.onBatch(batch.length);
    let outcomes: Array<Outcome<O>>;
    try {
      outcomes = await this.run(batch.map((waiting) => waiting.item));
      if (outcomes.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${outcomes.length} results`);
    } catch (error) {
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    // Same length, checked above: each waiting item has its outcome. Those settled now free their keys
    // together, and the next batch (dispatched as this one ends) takes all that waited for them: not a
    // batch per key freed.
    batch.forEach((waiting, i) => {
      const outcome = outcomes[i] as Outcome<O>;
      if (!(outcome instanceof Promise)) return this.finish(waiting, outcome);
      void outcome
        .catch((error: unknown): Settled<O> => ({ ok: false, error }))
        .then((result) => {
          this.finish(waiting, result);
          this.dispatch();
        });
    });
  }

  /** Settles one item and frees its key for the next item of that key. */
  private finish(waiting: Waiting<I, O>, result: Settled<O>): void {
    if (result.ok) waiting.resolve(result.value);
    else waiting.reject(result.error);
    const left = (this.busy.get(waiting.key) ?? 1) - 1;
    if (left > 0) this.busy.set(waiting.key, left);
    else this.busy.delete(waiting.key);
  }
}
