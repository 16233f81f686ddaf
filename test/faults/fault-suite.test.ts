import { MessageInbound, newId } from '@inviaro/contracts';
import { DEAD_LETTER_STREAM } from '@inviaro/bus';
import {
  ClaimKind,
  connectTestNats,
  createWidget,
  expectStoredExactlyOnce,
  nth,
  readStream,
  RunningSystem,
  ServerHandle,
  startSystem,
  SteadyLoad,
  TestWidget,
  waitFor,
  WidgetClient,
} from '@inviaro/test-harness';

jest.setTimeout(300_000);

/**
 * Each fault under a steady load of widget messages (valid, wrong and no claims). After each:
 * every message the gateway answered 202 is stored exactly once, and no failed claim is attributed
 * to a verified contact.
 */
describe('faults under load: nothing accepted is lost or doubled', () => {
  let system: RunningSystem;
  let widget: TestWidget;
  let client: WidgetClient;

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: {
        RATE_LIMIT_ADDRESS_PER_MINUTE: '1000000',
        RATE_LIMIT_NEW_VISITORS_PER_MINUTE: '100000',
        RATE_LIMIT_VISITOR_PER_MINUTE: '100000',
        RATE_LIMIT_WIDGET_PER_MINUTE: '1000000',
      },
    });
    await system.start('verifier');
    await system.start('contacts');
    widget = await createWidget(system);
    client = new WidgetClient(system.gatewayUrl, widget);
  });
  afterAll(() => system?.stop());

  /** Runs the fault while the load runs, then checks the outcome. */
  async function underLoad(fault: (load: SteadyLoad) => Promise<void>): Promise<SteadyLoad> {
    const load = new SteadyLoad(client, widget, 40, (process.env.LOAD_KINDS?.split(',') as ClaimKind[]) ?? undefined);
    await load.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await fault(load);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await load.stop();
    await expectStoredExactlyOnce(system, load);
    return load;
  }

  const service = (name: string, index = 0) =>
    nth(
      system.processes.filter((p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null),
      index,
    );

  it('survives kill -9 of the gateway', async () => {
    const load = await underLoad(async () => {
      await service('gateway').stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await system.start('gateway');
    });
    expect(load.answers.get('no answer')).toBeGreaterThan(0);
  });

  it('survives kill -9 of a verifier instance', async () => {
    await underLoad(async () => {
      await service('verifier').stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await system.start('verifier');
    });
  });

  it('survives kill -9 of a contacts instance', async () => {
    await underLoad(async () => {
      await service('contacts').stop('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await system.start('contacts');
    });
  });

  it('answers 503 with Retry-After, never 202, while NATS is down, and recovers after its restart', async () => {
    const nats = system.servers.processes.nats!;
    const load = await underLoad(async () => {
      await nats.kill('SIGKILL');
      const token = await client.newVisitor();
      const refused = await waitFor('a refusal while NATS is down', async () => {
        const response = await client.postMessage(token, { client_message_id: `during-${newId()}`, text: 'while down' });
        expect(response.status).not.toBe(202);
        return response.status === 503 ? response : undefined;
      });
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(refused.body).toEqual({ error: { code: 'stream_unavailable', message: expect.any(String) } });
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await nats.start();
    });
    expect(load.answers.get(503)).toBeGreaterThan(0);
  });

  /** A server stopped with `signal`, down for 3 s, then started again on the same port and data, all under load. */
  const restartedUnderLoad = (server: ServerHandle | undefined, signal: NodeJS.Signals) =>
    underLoad(async () => {
      if (!server) throw new Error('this run does not start that server itself');
      await server.kill(signal);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await server.start();
    });

  it('verifies from PostgreSQL while Redis restarts', async () => {
    await restartedUnderLoad(system.servers.processes.redis, 'SIGKILL');
  });

  it('loses and doubles nothing across a PostgreSQL restart', async () => {
    await restartedUnderLoad(system.servers.processes.postgres, 'SIGINT');
  });

  it('dead-letters poison events without holding up the others', async () => {
    const nc = await connectTestNats(system.servers.natsUrl);
    const js = nc.jetstream();
    const envelope = (data: Record<string, unknown>, version = MessageInbound.schemaVersion) => {
      const id = newId();
      return Buffer.from(
        JSON.stringify({ id, subject: MessageInbound.subject, schema_version: version, correlation_id: id, occurred_at: new Date().toISOString(), data }),
      );
    };
    const unknownWidget = newId();
    const valid = {
      kind: 'message',
      message_id: newId(),
      workspace_id: widget.workspaceId,
      widget_id: unknownWidget,
      visitor_id: newId(),
      text: 'hi',
      received_at: new Date().toISOString(),
    };
    try {
      await underLoad(async () => {
        await js.publish(MessageInbound.subject, Buffer.from('this is not JSON'), { msgID: newId() });
        await js.publish(MessageInbound.subject, envelope({ ...valid, message_id: newId() }, 99), { msgID: newId() });
        // A claim (sealed or not, it does not matter here) sends the verifier to the widget, which does not exist.
        await js.publish(MessageInbound.subject, envelope({ ...valid, sealed_claim: { kid: 'test', iv: '', ciphertext: '', tag: '' } }), { msgID: newId() });
      });
    } finally {
      await nc.close();
    }
    const letters = await waitFor('three dead letters', async () => {
      const found = await readStream(system.servers.natsUrl, DEAD_LETTER_STREAM, 'dead-letter.message.inbound');
      return found.length >= 3 ? found : undefined;
    });
    const reasons = letters.map((letter) => letter.headers['Inviaro-Reason']);
    expect(reasons).toEqual(
      expect.arrayContaining([expect.stringMatching(/not JSON/), expect.stringMatching(/schema_version 99/), expect.stringMatching(/unknown widget/)]),
    );
  });
});
