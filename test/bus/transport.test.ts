import { BUS_ROUTING } from '@inviaro/bus';
import { ContactsHistory, MessageStored, RequestReply } from '@inviaro/contracts';
import { JETSTREAM_TRANSPORT, JetStreamContext, JetStreamRequestContext, JetStreamServer, JetStreamStatus } from '@inviaro/jetstream';
import { busSuite, waitFor } from '@inviaro/test-harness';
import { BaseRpcContext } from '@nestjs/microservices';
import { JSONCodec } from 'nats';
import pino from 'pino';

jest.setTimeout(120_000);

const jc = JSONCodec();

/** The subject a handler's context names: what an APM hook would label the span with. */
function subjectOf(context: unknown): string {
  if (context instanceof JetStreamContext || context instanceof JetStreamRequestContext) return context.getMessage().subject;
  return context instanceof BaseRpcContext ? 'another context' : 'no context';
}

describe('JetStreamServer: what a Nest transport offers (processing hooks, a request context, status and events)', () => {
  const bus = busSuite({ maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  let transport: JetStreamServer;
  const seen: string[] = [];
  const statuses: JetStreamStatus[] = [];
  const events: string[] = [];

  beforeAll(async () => {
    transport = new JetStreamServer(bus.nc, { service: 'transport-test', logger: pino({ level: 'silent' }), routing: BUS_ROUTING, concurrency: 1 });
    transport.setOnProcessingStartHook((transportId, context, done) => {
      seen.push(`start ${subjectOf(context)} ${transportId === JETSTREAM_TRANSPORT ? 'jetstream' : String(transportId)}`);
      void done();
    });
    transport.setOnProcessingEndHook((_transportId, context) => seen.push(`end ${subjectOf(context)}`));
    transport.addHandler(
      MessageStored.subject,
      async (data: { n: number }, context: unknown) => {
        seen.push(`event ${data.n} in ${subjectOf(context)}`);
        if (data.n === 2) throw new Error('a failing handler still ends its processing');
      },
      true,
    );
    transport.addHandler(ContactsHistory.subject, async (data: { n: number }, context: unknown) => ({ echoed: data.n, subject: subjectOf(context) }));
    transport.status.subscribe((status) => statuses.push(status));
    transport.on('disconnect', () => events.push('disconnect'));
    transport.on('reconnect', () => events.push('reconnect'));
    let failure: unknown;
    await transport.listen((error) => (failure = error));
    expect(failure).toBeUndefined();
  });

  afterAll(() => transport?.close());

  it('runs each event handler inside the start and end hooks, with the message as its context, failed or not', async () => {
    await bus.nc.jetstream().publish(MessageStored.subject, jc.encode({ n: 1 }));
    await waitFor('the first event to end its processing', async () => (seen.includes('end message.stored') ? true : undefined), 20_000);
    await bus.nc.jetstream().publish(MessageStored.subject, jc.encode({ n: 2 }));
    await waitFor(
      'the failed event to end its processing',
      async () => (seen.filter((line) => line === 'end message.stored').length >= 2 ? true : undefined),
      20_000,
    );
    expect(seen.slice(0, 6)).toEqual([
      'start message.stored jetstream',
      'event 1 in message.stored',
      'end message.stored',
      'start message.stored jetstream',
      'event 2 in message.stored',
      'end message.stored',
    ]);
  });

  it('gives a request handler a context that names the request, inside the same hooks', async () => {
    seen.length = 0;
    const reply = (await bus.nc.request(ContactsHistory.subject, jc.encode({ n: 7 }), { timeout: 10_000 })).json<
      RequestReply<{ echoed: number; subject: string }>
    >();
    expect(reply).toEqual({ ok: true, data: { echoed: 7, subject: ContactsHistory.subject } });
    expect(seen.filter((line) => line.includes(ContactsHistory.subject))).toEqual([
      `start ${ContactsHistory.subject} jetstream`,
      `end ${ContactsHistory.subject}`,
    ]);
  });

  it('reports the connection on status and on(): connected, disconnected while the server is away, connected again', async () => {
    expect(statuses).toEqual(['connected']);
    await bus.server.kill('SIGKILL');
    await waitFor('the disconnect', async () => (statuses.includes('disconnected') ? true : undefined), 20_000);
    await bus.server.start();
    await waitFor('the reconnect', async () => (events.includes('reconnect') ? true : undefined), 30_000);
    expect(statuses[0]).toBe('connected');
    expect(statuses.at(-1)).toBe('connected');
    expect(statuses).toContain('disconnected');
    expect(events).toEqual(['disconnect', 'reconnect']);
  });
});
