import { MessageInbound, newId } from '@inviaro/contracts';
import { DEAD_LETTER_STREAM, EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import {
  ClaimKind,
  connectTestNats,
  createWidget,
  expectStoredExactlyOnce,
  metricTotal,
  nth,
  RATE_LIMITS_LIFTED,
  readStream,
  RunningSystem,
  ServerHandle,
  ServiceName,
  startSystem,
  SteadyLoad,
  TestWidget,
  waitFor,
  WidgetClient,
} from '@inviaro/test-harness';

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each fault under a steady load of widget messages (valid, wrong and no claims, each visitor
 * changing kind, so that runs are folded under the fault). After each: every message the gateway
 * answered 202 is stored exactly once, with the verdict its claim deserves and where the fold rule
 * puts it; every refusal was a 503 with Retry-After (never another 5xx); and the fault hit work in
 * flight (else the test would prove nothing).
 */
describe('faults under load: nothing accepted is lost or doubled', () => {
  let system: RunningSystem;
  let widget: TestWidget;
  let client: WidgetClient;

  beforeAll(async () => {
    system = await startSystem({
      serviceEnv: RATE_LIMITS_LIFTED,
    });
    await system.start('verifier');
    await system.start('contacts');
    widget = await createWidget(system);
    client = new WidgetClient(system.gatewayUrl, widget);
  });
  afterAll(() => system?.stop());

  /** Runs the fault while the load runs, then checks the outcome. */
  async function underLoad(fault: (load: SteadyLoad) => Promise<void>, { gatewayDown = false } = {}): Promise<SteadyLoad> {
    const load = new SteadyLoad(client, widget, 40, (process.env.LOAD_KINDS?.split(',') as ClaimKind[]) ?? undefined);
    await load.start();
    await sleep(1_000);
    await fault(load);
    await sleep(1_000);
    await load.stop();
    await expectStoredExactlyOnce(system, load);
    expect(load.unexpectedRefusals({ gatewayDown })).toEqual([]);
    return load;
  }

  /** Where each durable consumer of the service stands: the last delivery and the ack floor (consumer sequences). */
  async function consumerPositions(serviceName: ServiceName): Promise<Map<string, { delivered: number; ackFloor: number }>> {
    const nc = await connectTestNats(system.servers.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      const positions = new Map<string, { delivered: number; ackFloor: number }>();
      for (const stream of [INBOUND_STREAM, EVENT_STREAM]) {
        for await (const info of jsm.consumers.list(stream)) {
          if (!info.name.startsWith(`${serviceName}_`)) continue;
          positions.set(`${stream}/${info.name}`, { delivered: info.delivered.consumer_seq, ackFloor: info.ack_floor.consumer_seq });
        }
      }
      return positions;
    } finally {
      await nc.close();
    }
  }

  /**
   * Freezes one instance (SIGSTOP) until a consumer shows a delivery it holds: the ack floor stays put
   * for half a second while deliveries go past it (the running instance acknowledges within
   * milliseconds). Then kills it: the kill takes work in flight.
   */
  async function killHoldingDeliveries(serviceName: ServiceName): Promise<void> {
    const instance = service(serviceName);
    instance.child.kill('SIGSTOP');
    try {
      let previous = await consumerPositions(serviceName);
      await waitFor(
        `deliveries held by the frozen ${serviceName}`,
        async () => {
          const now = await consumerPositions(serviceName);
          const held = [...now].some(([name, at]) => {
            const before = previous.get(name);
            return before && before.ackFloor < before.delivered && at.ackFloor === before.ackFloor && at.delivered > before.delivered;
          });
          previous = now;
          return held ? true : undefined;
        },
        30_000,
        500,
      );
    } finally {
      await instance.stop('SIGKILL');
    }
  }

  /** The sum of a counter over the live instances of a service. */
  async function totalOver(serviceName: ServiceName, metric: string, labels: Record<string, string>): Promise<number> {
    const live = system.processes.filter((p) => p.name === serviceName && p.child.exitCode === null && p.child.signalCode === null);
    return (await Promise.all(live.map((p) => metricTotal(p.url, metric, labels)))).reduce((sum, n) => sum + n, 0);
  }

  const service = (name: string, index = 0) =>
    nth(
      system.processes.filter((p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null),
      index,
    );

  it('survives kill -9 of the gateway', async () => {
    const load = await underLoad(
      async () => {
        await service('gateway').stop('SIGKILL');
        await sleep(1_000);
        await system.start('gateway');
      },
      { gatewayDown: true },
    );
    expect(load.answers.get('no answer')).toBeGreaterThan(0);
  });

  it('survives kill -9 of a verifier instance holding deliveries', async () => {
    await underLoad(async () => {
      await killHoldingDeliveries('verifier');
      await sleep(2_000);
      await system.start('verifier');
    });
  });

  it('survives kill -9 of a contacts instance holding deliveries', async () => {
    await underLoad(async () => {
      await killHoldingDeliveries('contacts');
      await sleep(2_000);
      await system.start('contacts');
    });
  });

  it('answers 503 with Retry-After, never 202, while NATS is down, and recovers after its restart', async () => {
    const nats = system.servers.processes.nats!;
    const load = await underLoad(async () => {
      const token = await client.newVisitor();
      await nats.kill('SIGKILL');
      // Every answer while NATS is down is recorded and checked, none retried away: a 202 here would be a broken promise.
      const whileDown: Array<{ status: number; retryAfter: string | null; body: unknown }> = [];
      const deadline = Date.now() + 30_000;
      while (!whileDown.some((answer) => answer.status === 503) && Date.now() < deadline) {
        const response = await client.postMessage(token, { client_message_id: `during-${newId()}`, text: 'while down' });
        whileDown.push({ status: response.status, retryAfter: response.headers.get('retry-after'), body: response.body });
      }
      expect(whileDown.filter((answer) => answer.status === 202)).toEqual([]);
      expect(whileDown.at(-1)).toEqual({ status: 503, retryAfter: '2', body: { error: { code: 'stream_unavailable', message: expect.any(String) } } });
      await sleep(2_000);
      await nats.start();
    });
    expect(load.answers.get(503)).toBeGreaterThan(0);
  });

  /** The messages accepted and not yet delivered to the verifiers. */
  async function inboundPending(): Promise<number> {
    const nc = await connectTestNats(system.servers.natsUrl);
    try {
      return (await (await nc.jetstreamManager()).consumers.info(INBOUND_STREAM, 'verifier_message_inbound')).num_pending;
    } finally {
      await nc.close();
    }
  }

  /**
   * A server stopped with `signal`, then started again on the same port and data, all under load; down
   * at least 3 s and until `hit` shows the fault met work (a counter of a service that moved while it was down).
   * With `backlog`, the verifiers are frozen until accepted messages wait for them, and thawed once the server
   * is down: a gateway cannot accept while PostgreSQL is down, so this is the work that meets the fault.
   */
  const restartedUnderLoad = (
    server: ServerHandle | undefined,
    signal: NodeJS.Signals,
    hit: { service: ServiceName; metric: string; labels: Record<string, string> },
    { backlog = false } = {},
  ) =>
    underLoad(async () => {
      if (!server) throw new Error('this run does not start that server itself');
      const verifiers = backlog ? system.processes.filter((p) => p.name === 'verifier' && p.child.exitCode === null && p.child.signalCode === null) : [];
      verifiers.forEach((verifier) => verifier.child.kill('SIGSTOP'));
      try {
        if (backlog) await waitFor('accepted messages waiting for the frozen verifiers', async () => ((await inboundPending()) > 20 ? true : undefined));
        await server.kill(signal);
      } finally {
        verifiers.forEach((verifier) => verifier.child.kill('SIGCONT'));
      }
      const before = await totalOver(hit.service, hit.metric, hit.labels);
      await sleep(3_000);
      await waitFor(`${hit.metric} ${JSON.stringify(hit.labels)} to move while the server is down`, async () =>
        (await totalOver(hit.service, hit.metric, hit.labels)) > before ? true : undefined,
      );
      await server.start();
    });

  it('verifies valid claims while Redis restarts', async () => {
    await restartedUnderLoad(system.servers.processes.redis, 'SIGKILL', {
      service: 'verifier',
      metric: 'inviaro_claim_checks_total',
      labels: { outcome: 'verified' },
    });
  });

  it('loses and doubles nothing across a PostgreSQL restart', async () => {
    await restartedUnderLoad(
      system.servers.processes.postgres,
      'SIGINT',
      { service: 'contacts', metric: 'inviaro_events_handled_total', labels: { outcome: 'retried' } },
      { backlog: true },
    );
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
