import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The first port of the range the kernel takes outgoing connections' local ports from (Linux), else of the IANA range that macOS uses. */
export function firstEphemeralPort(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low) return low;
  } catch {
    // Not Linux.
  }
  return 49_152;
}

/** The lowest port handed out: above the well-known services. */
const LOWEST_PORT = 10_000;
/**
 * Parallel test workers (jest numbers them in JEST_WORKER_ID) are given disjoint ports: each takes those
 * of its own remainder modulo LANES, so two never pick the same port before either has bound it.
 */
const LANES = 16;
const lane = Number(process.env.JEST_WORKER_ID ?? 0) % LANES;
const span = Math.floor((firstEphemeralPort() - LOWEST_PORT) / LANES);
/** Where this process's next pick starts: a random place, then onwards in turn, so that it never picks a port twice in a row. */
let cursor = Math.floor(Math.random() * span);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port on the loopback interface that nothing listens on right now, for a server started next. Picked
 * below the kernel's ephemeral range, never with `listen(0)`: a port from that range, free when picked,
 * could be taken by an outgoing connection (or another worker's pick) before the server binds it, and the
 * server would exit with EADDRINUSE.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < span; tries++) {
    const port = LOWEST_PORT + (cursor % span) * LANES + lane;
    cursor++;
    if (await canListen(port)) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/** Characters of output kept in memory per process: enough to show why it failed. */
const OUTPUT_KEPT = 64 * 1024;

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last of what the process printed (stdout and stderr). */
  output(): string;
  /** Ends the process with SIGTERM (or the given signal) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  exited: Promise<number | null>;
}

export interface LaunchOptions extends SpawnOptions {
  /** Resolves the launch once the output matches. */
  readyWhen: RegExp;
  readyTimeoutMs?: number;
  /** Also write the output here as it comes (the start command's log files). */
  log?: NodeJS.WritableStream;
}

/** Starts a process and waits until it says it is ready; fails with its output if it exits or stays silent. */
export async function launch(name: string, command: string, args: string[], options: LaunchOptions): Promise<ManagedProcess> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} not ready after ${options.readyTimeoutMs ?? 30_000} ms:\n${output.slice(-4000)}`)),
      options.readyTimeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
      options.log?.write(chunk);
      if (options.readyWhen.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${output.slice(-4000)}`));
    });
  });
  const managed: ManagedProcess = {
    name,
    child,
    exited,
    output: () => output,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
  try {
    await ready;
  } catch (error) {
    await managed.stop('SIGKILL');
    throw error;
  }
  return managed;
}
