import { launch, ManagedProcess, Supervisor, waitFor } from '@inviaro/test-harness';

const until = (check: () => boolean) => waitFor(String(check), async () => check() || undefined, 30_000, 20);

// The start command's supervisor, with real child processes (node scripts that say "ready").
jest.setTimeout(120_000);

/** A node process that says ready, then does what `body` says; on SIGTERM it notes the time and exits after 100 ms. */
function child(name: string, body = '', stopped?: string[]): () => Promise<ManagedProcess> {
  const script = `
    process.on('SIGTERM', () => { console.log('stopping'); setTimeout(() => process.exit(0), 100); });
    console.log('ready');
    setInterval(() => undefined, 1000);
    ${body}`;
  return async () => {
    const started = await launch(name, process.execPath, ['-e', script], { readyWhen: /ready/ });
    void started.exited.then(() => stopped?.push(name));
    return started;
  };
}

describe('the start command supervises what it starts', () => {
  let supervisor: Supervisor;
  let lines: string[];

  beforeEach(() => {
    lines = [];
  });
  afterEach(() => supervisor?.stop());

  test('a process that exits is reported with its exit code and started again, a killed one with its signal', async () => {
    supervisor = new Supervisor({ initialBackoffMs: 50, report: (line) => lines.push(line) });
    const first = await supervisor.add({ name: 'worker', start: child('worker'), describe: (p) => `as ${p.child.pid}` });
    first.child.kill('SIGKILL');
    await until(() => lines.some((line) => line.startsWith('worker restarted')));
    expect(lines[0]).toBe(`worker (pid ${first.child.pid}) was killed by SIGKILL; restarting it in 50 ms`);
    const second = supervisor.running('worker')!;
    expect(second.child.pid).not.toBe(first.child.pid);
    expect(lines[1]).toBe(`worker restarted (pid ${second.child.pid}) as ${second.child.pid}`);

    // Exits with a code of its own; the second exit within the window waits twice as long.
    second.child.kill('SIGTERM');
    await until(() => lines.length === 4);
    expect(lines[2]).toBe(`worker (pid ${second.child.pid}) exited with code 0; restarting it in 100 ms`);
    expect(supervisor.running('worker')!.child.pid).not.toBe(second.child.pid);
  });

  test('a crash loop is reported and not restarted again', async () => {
    supervisor = new Supervisor({ initialBackoffMs: 20, crashLoopExits: 3, crashLoopWindowMs: 60_000, report: (line) => lines.push(line) });
    let starts = 0;
    const crashing = child('crasher', 'setTimeout(() => process.exit(3), 50);');
    await supervisor.add({ name: 'crasher', start: () => (starts++, crashing()) });
    await until(() => lines.some((line) => line.includes('crash loop')));
    expect(lines.filter((line) => /exited with code 3; restarting it in/.test(line))).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatch(/^crasher \(pid \d+\) exited with code 3: crash loop \(3 exits within 60 s\), not restarting it/);
    // A restart the supervisor wrongly kept would come 80 ms after the crash loop (the next backoff). Two witnesses
    // crash-loop one after the other, each after pauses of 20 + 40 ms: the second ends over 80 ms of timers later.
    for (const witness of ['witness-1', 'witness-2']) {
      await supervisor.add({ name: witness, start: child(witness, 'setTimeout(() => process.exit(4), 10);') });
      await until(() => lines.some((line) => line.startsWith(`${witness} `) && line.includes('crash loop')));
    }
    expect(starts).toBe(3);
    expect(supervisor.running('crasher')).toBeUndefined();
  });

  test('a process that cannot start again counts as an exit', async () => {
    supervisor = new Supervisor({ initialBackoffMs: 20, crashLoopExits: 2, report: (line) => lines.push(line) });
    let starts = 0;
    const first = await supervisor.add({
      name: 'flaky',
      start: () => (starts++ === 0 ? child('flaky')() : launch('flaky', process.execPath, ['-e', 'process.exit(7)'], { readyWhen: /ready/ })),
    });
    first.child.kill('SIGKILL');
    await until(() => lines.some((line) => line.includes('crash loop')));
    expect(lines[1]).toMatch(/^flaky failed to start \(flaky exited \(7\) before it was ready:\): crash loop/);
  });

  test('stop() ends every process, the last added first, each after the one before has exited', async () => {
    const stopped: string[] = [];
    supervisor = new Supervisor({ report: (line) => lines.push(line) });
    for (const name of ['gateway', 'verifier', 'contacts']) await supervisor.add({ name, start: child(name, '', stopped) });
    await supervisor.stop();
    expect(stopped).toEqual(['contacts', 'verifier', 'gateway']);
    expect(lines).toEqual([]);
    for (const name of ['gateway', 'verifier', 'contacts']) expect(supervisor.running(name)?.child.exitCode).toBe(0);
  });
});
