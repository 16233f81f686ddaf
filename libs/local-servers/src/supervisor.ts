import { ManagedProcess } from './processes';

/** Something the supervisor keeps running: `start` launches one process and resolves once it is ready. */
export interface Unit<P extends ManagedProcess = ManagedProcess> {
  name: string;
  start(): Promise<P>;
  /** Printed after a restart, e.g. where the new process answers. */
  describe?(process: P): string;
}

export interface SupervisorOptions {
  /** The first restart waits this long; each further exit doubles it, up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** This many exits within `crashLoopWindowMs` is a crash loop: reported, and no more restarts. */
  crashLoopExits?: number;
  crashLoopWindowMs?: number;
  /** A line for the console. */
  report?(line: string): void;
}

interface Supervised {
  unit: Unit;
  current?: ManagedProcess;
  /** When it exited, within the crash-loop window. */
  exits: number[];
  backoffMs: number;
  timer?: NodeJS.Timeout;
}

/**
 * Keeps the start command's processes running: an exit is reported with its code or signal and
 * the process is started again after a growing pause; a crash loop is reported and left stopped.
 * `stop()` ends the processes one by one, the last added first (what depends on the others goes first).
 */
export class Supervisor {
  private readonly supervised: Supervised[] = [];
  private stopping = false;
  private readonly options: Required<SupervisorOptions>;

  constructor(options: SupervisorOptions = {}) {
    this.options = {
      initialBackoffMs: 1000,
      maxBackoffMs: 30_000,
      crashLoopExits: 5,
      crashLoopWindowMs: 120_000,
      report: (line) => console.log(line),
      ...options,
    };
  }

  /** Starts the unit (a failure to start is thrown: the start command cannot go on without it) and watches it. */
  async add<P extends ManagedProcess>(unit: Unit<P>): Promise<P> {
    const entry: Supervised = { unit, exits: [], backoffMs: this.options.initialBackoffMs };
    this.supervised.push(entry);
    const process = await unit.start();
    this.watch(entry, process);
    return process;
  }

  /** The process running for each unit now (none while it waits for a restart or after a crash loop). */
  running(name: string): ManagedProcess | undefined {
    return this.supervised.find((entry) => entry.unit.name === name)?.current;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const entry of [...this.supervised].reverse()) {
      clearTimeout(entry.timer);
      await entry.current?.stop('SIGTERM');
    }
  }

  private watch(entry: Supervised, process: ManagedProcess): void {
    entry.current = process;
    void process.exited.then(() => {
      if (this.stopping || entry.current !== process) return;
      entry.current = undefined;
      this.exited(entry, describeExit(process));
    });
  }

  private exited(entry: Supervised, how: string): void {
    const { name } = entry.unit;
    const now = Date.now();
    entry.exits = [...entry.exits.filter((at) => now - at < this.options.crashLoopWindowMs), now];
    if (entry.exits.length >= this.options.crashLoopExits) {
      const window = Math.round(this.options.crashLoopWindowMs / 1000);
      this.options.report(
        `${name} ${how}: crash loop (${entry.exits.length} exits within ${window} s), not restarting it; see its log, then restart \`npm start\``,
      );
      return;
    }
    // A process that ran quietly for a whole window starts over from the shortest pause.
    if (entry.exits.length === 1) entry.backoffMs = this.options.initialBackoffMs;
    const delay = entry.backoffMs;
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.options.maxBackoffMs);
    this.options.report(`${name} ${how}; restarting it in ${formatDelay(delay)}`);
    entry.timer = setTimeout(() => void this.restart(entry), delay);
  }

  private async restart(entry: Supervised): Promise<void> {
    if (this.stopping) return;
    try {
      const process = await entry.unit.start();
      if (this.stopping) {
        await process.stop('SIGTERM');
        return;
      }
      this.watch(entry, process);
      const where = entry.unit.describe ? ` ${entry.unit.describe(process)}` : '';
      this.options.report(`${entry.unit.name} restarted (pid ${process.child.pid})${where}`);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      this.exited(entry, `failed to start (${reason})`);
    }
  }
}

function describeExit(process: ManagedProcess): string {
  const { exitCode, signalCode, pid } = process.child;
  return signalCode ? `(pid ${pid}) was killed by ${signalCode}` : `(pid ${pid}) exited with code ${exitCode}`;
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
