/** Bounds one batch, so that a flood of calls still makes queries of a sane size. */
const MAX_BATCH = 256;

/**
 * Gathers the calls made in one turn of the event loop into one call of `run`, which answers
 * them in order. Under load one round trip to PostgreSQL or Redis then serves many requests
 * instead of one each: every message on those sockets costs a system call on both sides and
 * wakes the server, more than the query itself. Nothing outlives the batch: each call still
 * reads what is true when it is made.
 */
export class TickBatch<I, O> {
  private pending: Array<{ input: I; resolve(output: O): void; reject(error: unknown): void }> = [];

  constructor(private readonly run: (inputs: I[]) => Promise<O[]>) {}

  call(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ input, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.run(batch.map((call) => call.input)).then(
      (outputs) =>
        batch.forEach((call, i) =>
          i < outputs.length ? call.resolve(outputs[i] as O) : call.reject(new Error(`a batch of ${batch.length} gave ${outputs.length} outputs`)),
        ),
      (error: unknown) => batch.forEach((call) => call.reject(error)),
    );
  }
}
