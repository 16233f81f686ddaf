import { createLogger, SECRET_FIELDS } from './logger';

/** What a logger writes, line by line, parsed. */
function capture(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>>; raw: () => string } {
  const written: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => written.push(line) });
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), raw: () => written.join('') };
}

describe('createLogger: no secret field reaches a log line', () => {
  it.each(SECRET_FIELDS)('censors %s at the top, nested, in arrays and deeper than three levels, keeping the rest', (field) => {
    const { logger, lines, raw } = capture();
    logger.info(
      {
        [field]: 'leak-1',
        a: { [field]: 'leak-2' },
        b: { c: { [field]: 'leak-3' } },
        list: [{ [field]: 'leak-4' }],
        deep: { d: { e: { [field]: { any: 'leak-5' } } } },
        kept: 'visible',
      },
      'a message',
    );
    expect(raw()).not.toContain('leak');
    expect(lines()[0]).toMatchObject({
      service: 'test',
      msg: 'a message',
      kept: 'visible',
      [field]: '[redacted]',
      a: { [field]: '[redacted]' },
      b: { c: { [field]: '[redacted]' } },
      deep: { d: { e: { [field]: '[redacted]' } } },
    });
  });

  it("censors a secret carried by an error, a child logger's bindings, or an object formatted into the message", () => {
    const { logger, raw } = capture();
    logger.error({ err: Object.assign(new Error('failed'), { user_hash: 'leak-1' }) }, 'with an error');
    logger.child({ visitor_token: 'leak-2' }).info('from a child');
    logger.info('formatted %j', { widget_secret: 'leak-3' });
    expect(raw()).not.toContain('leak');
    expect(raw()).toContain('failed');
  });

  it('keeps a line that only mentions a secret field name in its text as it is', () => {
    const { logger, lines } = capture();
    logger.info({ text: 'my password: user_hash', ms: 1.5, ok: true, nothing: null }, 'about user_hash');
    expect(lines()[0]).toMatchObject({ text: 'my password: user_hash', ms: 1.5, ok: true, nothing: null, msg: 'about user_hash' });
  });
});
