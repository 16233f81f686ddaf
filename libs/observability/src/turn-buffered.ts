import pino from 'pino';

/**
 * The service's log lines of one event-loop turn, written to stdout as one write when the turn is
 * over. A line per event and per request was nearly a write (an fs.write through the thread pool) per
 * line, about a tenth of a verifier's CPU. Lines keep their order and wait a few microseconds at most;
 * what is pending when the process exits is written before it goes, as pino does for its own buffer.
 */
export function turnBufferedStdout(
  out: ReturnType<typeof pino.destination> = pino.destination({ dest: 1, sync: false }),
): pino.DestinationStream & { flush(cb?: (error?: Error) => void): void } {
  let pending = '';
  const writePending = () => {
    if (pending === '') return;
    out.write(pending);
    pending = '';
  };
  process.once('exit', () => {
    writePending();
    out.flushSync();
  });
  return {
    write(line: string) {
      if (pending === '') setImmediate(writePending);
      pending += line;
    },
    flush(cb?: (error?: Error) => void) {
      writePending();
      out.flush(cb);
    },
  };
}
