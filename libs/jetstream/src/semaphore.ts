/** Bounds the handlers running at once, so that a deep backlog does not become unbounded concurrency. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private available: number) {}

  acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available++;
  }
}
