export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface MicroBatcherOptions {
  /** Most items in one batch; 1 turns batching off. */
  maxBatch: number;
  /** Batches running at once; items that arrive while all are busy wait and go together in the next. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a queue consumer: items that arrive in the same turn of the event loop, or while
 * every batch slot is busy, are handed to `run` together (one transaction for the lot). Nothing
 * waits for a timer: when load is light each item runs at once on its own, and under a burst the
 * batches grow by themselves. Each item's promise settles only when its batch has, so a consumer
 * that acknowledges after `submit` resolves acknowledges after the commit.
 */
export class MicroBatcher<I, O> {
  private readonly waiting: Array<Waiting<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<Array<Settled<O>>>,
    private readonly options: MicroBatcherOptions,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new Error('maxBatch and maxInFlight must be at least 1');
  }

  submit(item: I): Promise<O> {
    const settled = new Promise<O>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
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

  /** Items waiting for a batch slot (for tests and metrics). */
  get backlog(): number {
    return this.waiting.length;
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      // Spread what is waiting over the free slots, so that one slot does not take it all while others idle.
      const free = this.options.maxInFlight - this.inFlight;
      const size = Math.min(this.options.maxBatch, Math.ceil(this.waiting.length / free));
      const batch = this.waiting.splice(0, size);
      this.inFlight++;
      void this.settle(batch).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  private async settle(batch: Array<Waiting<I, O>>): Promise<void> {
    this.onBatch(batch.length);
    try {
      const results = await this.run(batch.map((waiting) => waiting.item));
      if (results.length !== batch.length) throw new Error(`a batch of ${batch.length} gave ${results.length} results`);
      // Same length, checked above: each waiting item has its result.
      batch.forEach((waiting, i) => {
        const result = results[i] as Settled<O>;
        if (result.ok) waiting.resolve(result.value);
        else waiting.reject(result.error);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
