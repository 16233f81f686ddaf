import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import { createServer } from 'node:net';

/** A port on the loopback interface that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
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
