import { BaseRpcContext } from '@nestjs/microservices';
import { withProcessingHooks } from './processing-hooks';

const ID = Symbol('test');
const context = new BaseRpcContext(['a message']);

describe('withProcessingHooks', () => {
  it('answers with the handler once the start hook ran it, and ends after it', async () => {
    const seen: string[] = [];
    // A start hook that runs the handler later (an APM tool opening its span first).
    const processing = withProcessingHooks(
      () => ID,
      () => (_id, _context, done) =>
        void Promise.resolve()
          .then(() => seen.push('start'))
          .then(done),
      () => () => seen.push('end'),
    );
    const value = await processing(context, async () => {
      seen.push('handler');
      return 42;
    });
    expect(value).toBe(42);
    expect(seen).toEqual(['start', 'handler', 'end']);
  });

  it('passes the handler’s own error on, after the end hook, with the transport id and context', async () => {
    const ended: unknown[] = [];
    const failure = new Error('handler failed');
    const processing = withProcessingHooks(
      () => ID,
      () => (_id, _context, done) => void done(),
      () => (id, given) => ended.push([id, given]),
    );
    await expect(processing(context, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(ended).toEqual([[ID, context]]);
  });

  it('works without an end hook (Nest sets none by default)', async () => {
    const processing = withProcessingHooks(
      () => ID,
      () => (_id, _context, done) => void done(),
      () => undefined,
    );
    await expect(processing(context, async () => 'done')).resolves.toBe('done');
  });
});
