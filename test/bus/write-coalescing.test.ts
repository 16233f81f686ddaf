import { coalesceNatsWrites } from '@inviaro/jetstream';
import { busSuite, connectTestNats } from '@inviaro/test-harness';
import { NatsConnection, nuid } from 'nats';

jest.setTimeout(120_000);

const HANDLERS = 100;

/** The sender's socket writes, counted. */
function countWrites(nc: NatsConnection): () => number {
  const socket = (nc as unknown as { protocol: { transport: { socket: { write: (...args: unknown[]) => boolean } } } }).protocol.transport.socket;
  const write = socket.write.bind(socket);
  let writes = 0;
  socket.write = (...args: unknown[]) => {
    writes++;
    return write(...args);
  };
  return () => writes;
}

/** What a turn of handlers does: each gets to its publish after its own chain of awaits (as after a Redis reply). */
async function publishFromOneTurn(nc: NatsConnection, subject: string): Promise<void> {
  await Promise.all(
    Array.from({ length: HANDLERS }, async (_, i) => {
      for (let hop = 0; hop < i % 7; hop++) await Promise.resolve();
      nc.publish(subject, String(i));
    }),
  );
}

describe('NATS writes: what one turn of the event loop publishes goes out in one socket write', () => {
  // The suite's own connection receives; each test's sender is a connection of its own.
  const bus = busSuite();

  async function turn(): Promise<{ writes: number; received: string[] }> {
    const subject = `bench.writes.${nuid.next()}`;
    const received: string[] = [];
    const sub = bus.nc.subscribe(subject, { max: HANDLERS, callback: (_err, message) => received.push(message.string()) });
    await bus.nc.flush();
    const sender = await connectTestNats(bus.server.url);
    await sender.flush();
    const writes = countWrites(sender);
    await publishFromOneTurn(sender, subject);
    await new Promise((resolve) => setImmediate(resolve));
    const counted = writes();
    await sender.close();
    await sub.closed;
    return { writes: counted, received };
  }

  it('writes each microtask chain on its own before, and the whole turn at once after', async () => {
    const before = await turn();
    expect(before.writes).toBeGreaterThan(1);
    coalesceNatsWrites();
    const after = await turn();
    expect(after.writes).toBe(1);
    // Nothing lost, nothing reordered.
    const sent = Array.from({ length: HANDLERS }, (_, i) => String(i)).sort((a, b) => (Number(a) % 7) - (Number(b) % 7) || Number(a) - Number(b));
    expect(after.received).toEqual(sent);
    expect(before.received).toEqual(sent);
  });

  it('writes what was published before a close, before closing', async () => {
    coalesceNatsWrites();
    const subject = `bench.close.${nuid.next()}`;
    const received: string[] = [];
    const sub = bus.nc.subscribe(subject, { max: 1, callback: (_err, message) => received.push(message.string()) });
    await bus.nc.flush();
    const sender = await connectTestNats(bus.server.url);
    sender.publish(subject, 'last words');
    await sender.close();
    await Promise.race([sub.closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    expect(received).toEqual(['last words']);
  });
});
