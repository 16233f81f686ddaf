import pino from 'pino';
import { turnBufferedStdout } from './turn-buffered';

function recording(): { out: ReturnType<typeof pino.destination>; writes: string[] } {
  const writes: string[] = [];
  const out = { write: (data: string) => writes.push(data) > 0, flush: (cb?: () => void) => cb?.(), flushSync: () => undefined } as unknown as ReturnType<
    typeof pino.destination
  >;
  return { out, writes };
}

const turnOver = () => new Promise((resolve) => setImmediate(resolve));

describe('turnBufferedStdout: the log lines of one turn in one write', () => {
  it('writes a turn’s lines together, in order, once the turn is over', async () => {
    const { out, writes } = recording();
    const destination = turnBufferedStdout(out);
    destination.write('a\n');
    await Promise.resolve();
    destination.write('b\n');
    expect(writes).toEqual([]);
    await turnOver();
    destination.write('c\n');
    await turnOver();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes what is pending when asked to flush, and when the process exits', () => {
    const { out, writes } = recording();
    const destination = turnBufferedStdout(out);
    destination.write('a\n');
    destination.flush();
    destination.write('b\n');
    process.emit('exit', 0);
    expect(writes).toEqual(['a\n', 'b\n']);
  });

  it('carries a logger’s lines', async () => {
    const { out, writes } = recording();
    const logger = pino({ base: {} }, turnBufferedStdout(out));
    logger.info('one');
    logger.info('two');
    await turnOver();
    expect(writes).toHaveLength(1);
    expect(
      writes[0]!
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { msg: string }).msg),
    ).toEqual(['one', 'two']);
  });
});
