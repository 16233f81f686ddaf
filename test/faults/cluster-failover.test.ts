import { MessageInbound, newId, WidgetSecretRotated } from '@inviaro/contracts';
import { userHash } from '@inviaro/crypto';
import { EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import {
  ApiResponse,
  ClusterNode,
  connectTestNats,
  createWidget,
  expectStoredExactlyOnce,
  metricTotal,
  NatsCluster,
  nth,
  RATE_LIMITS_LIFTED,
  RunningSystem,
  startNatsCluster,
  startSystem,
  SteadyLoad,
  TestWidget,
  waitFor,
  WidgetClient,
  WidgetStream,
} from '@inviaro/test-harness';
import { ClusterInfo, NatsConnection } from 'nats';

// Bounds a hang; on an idle machine the suite takes well under a minute.
jest.setTimeout(180_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One call of the widget API as the load made it: when it went out, when and how the gateway answered. */
interface Answer {
  clientMessageId: string;
  sentAt: number;
  answeredAt: number;
  status: number | 'no answer';
  retryAfter: string | null;
  errorCode?: string;
}

/** The widget client of the load, keeping a timed record of every message post. */
class TimedClient extends WidgetClient {
  readonly answers: Answer[] = [];

  override async postMessage(visitorToken: string, fields: Record<string, unknown>): Promise<ApiResponse<{ message_id: string }>> {
    const sentAt = Date.now();
    const record = (status: Answer['status'], response?: ApiResponse<{ message_id: string }>) =>
      this.answers.push({
        clientMessageId: String(fields.client_message_id),
        sentAt,
        answeredAt: Date.now(),
        status,
        retryAfter: response?.headers.get('retry-after') ?? null,
        errorCode: (response?.body as { error?: { code?: string } } | undefined)?.error?.code,
      });
    try {
      const response = await super.postMessage(visitorToken, fields);
      record(response.status, response);
      return response;
    } catch (error) {
      record('no answer');
      throw error;
    }
  }
}

interface Outage {
  from: number;
  to: number;
  /** What each node's probe met when the outage began. */
  why: string;
}

/**
 * Whether the inbound stream (the gateway's publishes) can take a publish, seen from every node at once (a connection pinned to
 * each, so that the loss of one node is not mistaken for the loss of the stream). The probe is a
 * publish the stream's leader must refuse (it expects a last message id no message has): a refusal
 * proves a leader that takes publishes, and nothing is stored. Also notes each leader it sees.
 */
class QuorumWatch {
  readonly outages: Outage[] = [];
  readonly leaders: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(private readonly connections: NatsConnection[]) {
    this.loop = this.run();
  }

  static async start(cluster: NatsCluster): Promise<QuorumWatch> {
    const connections = await Promise.all(
      cluster.nodes.map((node) => connectTestNats(node.url, { ignoreClusterUpdates: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 })),
    );
    return new QuorumWatch(connections);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.allSettled(this.connections.map((nc) => nc.close()));
  }

  /** Milliseconds without quorum since `since`. */
  outageMs(since: number): number {
    return this.outages.filter((o) => o.to >= since).reduce((sum, o) => sum + (o.to - Math.max(o.from, since)), 0);
  }

  /** Undefined when some node's probe proved a leader, else what each probe met. */
  private async whyNoPublishes(): Promise<string | undefined> {
    const probes = this.connections.map(async (nc) => {
      const refusal = await nc
        .jetstream({ timeout: 500 })
        .publish(MessageInbound.subject, new Uint8Array(0), { expect: { lastMsgID: `quorum-probe-${newId()}` } })
        .then(
          (): unknown => new Error('the probe was stored'),
          (error: unknown) => error,
        );
      if (!isJetStreamError(refusal, JetStreamErrorCode.WrongLastMsgId)) throw refusal;
    });
    return Promise.any(probes).then(
      () => undefined,
      (all: AggregateError) => all.errors.map((error: unknown) => (error instanceof Error ? error.message : String(error))).join('; '),
    );
  }

  private async noteLeader(): Promise<void> {
    const asked = this.connections.map(
      async (nc) =>
        (await (await nc.jetstreamManager({ timeout: 500 })).streams.info(INBOUND_STREAM)).cluster?.leader ?? Promise.reject(new Error('no leader')),
    );
    const leader = await Promise.any(asked).catch(() => undefined);
    if (leader && this.leaders.at(-1) !== leader) this.leaders.push(leader);
  }

  private async run(): Promise<void> {
    let down: Omit<Outage, 'to'> | undefined;
    while (this.running) {
      const asked = Date.now();
      const [why] = await Promise.all([this.whyNoPublishes(), this.noteLeader()]);
      if (why === undefined && down !== undefined) this.outages.push({ ...down, to: asked });
      if (why === undefined) down = undefined;
      else down ??= { from: asked, why };
      await sleep(100);
    }
    if (down !== undefined) this.outages.push({ ...down, to: Date.now() });
  }
}

/** Polls the cluster state of the stream the gateway publishes to (INVIARO_INBOUND) (through any node) until `accept` makes something of it. */
async function whenStream<T>(cluster: NatsCluster, what: string, accept: (state: ClusterInfo | undefined) => T | undefined): Promise<T> {
  const nc = await connectTestNats(cluster.url, { maxReconnectAttempts: -1 });
  try {
    return await waitFor(what, async () => accept((await (await nc.jetstreamManager({ timeout: 1000 })).streams.info(INBOUND_STREAM)).cluster), 60_000, 250);
  } finally {
    await nc.close();
  }
}

/** The inbound stream's leader and its replicas, once every replica has caught up. */
function settledStream(cluster: NatsCluster): Promise<{ leader: string; followers: string[] }> {
  return whenStream(cluster, 'every replica of the inbound stream current', (state) => {
    const replicas = state?.replicas ?? [];
    if (!state?.leader || replicas.length !== cluster.nodes.length - 1 || replicas.some((r) => !r.current || r.offline)) return undefined;
    return { leader: state.leader, followers: replicas.map((r) => r.name) };
  });
}

/**
 * The node the gateway's connection is on, once it follows the inbound stream: its leader is asked to
 * step down until another node leads. Killing it takes the gateway's publishes in flight with it.
 */
async function gatewayOnFollower(cluster: NatsCluster): Promise<ClusterNode> {
  const [node, ...more] = await cluster.nodesServing('gateway');
  if (!node || more.length > 0) throw new Error(`expected the gateway on one node, found it on ${[node, ...more].length}`);
  const nc = await connectTestNats(cluster.url);
  try {
    await waitFor(
      "a leader of the inbound stream other than the gateway's node",
      async () => {
        const { leader } = await settledStream(cluster);
        if (leader !== node.name) return true;
        await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${INBOUND_STREAM}`, undefined, { timeout: 2_000 });
        return undefined;
      },
      60_000,
      500,
    );
  } finally {
    await nc.close();
  }
  return node;
}

/** The widget of the latest widget.secret.rotated in the event stream. */
async function lastRotation(cluster: NatsCluster): Promise<string | undefined> {
  const nc = await connectTestNats(cluster.url);
  try {
    const stored = await (await nc.jetstreamManager()).streams.getMessage(EVENT_STREAM, { last_by_subj: WidgetSecretRotated.subject });
    return stored.json<{ data: { widget_id: string } }>().data.widget_id;
  } finally {
    await nc.close();
  }
}

/** The node leading the gateway's own (non-durable) consumer of a subject. */
async function gatewayConsumerLeader(cluster: NatsCluster, subject: string): Promise<string> {
  const nc = await connectTestNats(cluster.url);
  try {
    const jsm = await nc.jetstreamManager();
    for await (const consumer of jsm.consumers.list(EVENT_STREAM)) {
      const filters = consumer.config.filter_subjects ?? [consumer.config.filter_subject];
      if (!consumer.config.durable_name && filters.includes(subject) && consumer.cluster?.leader) return consumer.cluster.leader;
    }
    throw new Error(`the gateway has no consumer of ${subject}`);
  } finally {
    await nc.close();
  }
}

describe('a 3-node JetStream cluster (replicas 3) under kill -9 of a node', () => {
  let cluster: NatsCluster;
  let system: RunningSystem;
  let widget: TestWidget;

  beforeAll(async () => {
    cluster = await startNatsCluster();
    system = await startSystem({
      env: { ...process.env, NATS_URL: cluster.url },
      serviceEnv: { NATS_STREAM_REPLICAS: '3', ...RATE_LIMITS_LIFTED },
    });
    widget = await createWidget(system);
  });
  afterAll(async () => {
    await system?.stop();
    await cluster?.stop();
  });

  /**
   * Runs the fault under a steady load, then checks the promise of a 202 and that every refusal was a
   * 503 with Retry-After while the stream had no quorum; prints how long publishes stalled and how
   * many messages were delayed and by how much.
   */
  async function underLoad(label: string, fault: (watch: QuorumWatch) => Promise<void>, perSecond = 40): Promise<{ answers: Answer[]; watch: QuorumWatch }> {
    const client = new TimedClient(system.gatewayUrl, widget);
    const load = new SteadyLoad(client, widget, perSecond);
    const watch = await QuorumWatch.start(cluster);
    try {
      await load.start();
      await sleep(2_000);
      const faultAt = Date.now();
      await fault(watch);
      await sleep(3_000);
      await load.stop();
      await expectStoredExactlyOnce(system, load);

      const refused = client.answers.filter((answer) => answer.status !== 202);
      expect(refused.filter((answer) => answer.status !== 503 || answer.retryAfter !== '2' || answer.errorCode !== 'stream_unavailable')).toEqual([]);
      // A refusal is right only while the stream could not store: the call overlapped an outage (give or take a poll of the watch).
      const slack = 1_000;
      const unexplained = refused.filter((answer) => !watch.outages.some((o) => answer.sentAt <= o.to + slack && answer.answeredAt >= o.from - slack));
      expect(unexplained).toEqual([]);

      console.log(`${label}: ${JSON.stringify(figures(client.answers, watch, faultAt))}`);
      return { answers: client.answers, watch };
    } finally {
      await load.stop();
      await watch.stop();
    }
  }

  it('stores every accepted message once across kill -9 of the leader of the inbound stream (where the gateway publishes) and its restart', async () => {
    const { leader } = await settledStream(cluster);
    const { answers, watch } = await underLoad('leader killed', async (watch) => {
      await cluster.node(leader).kill('SIGKILL');
      await waitFor('a new leader', async () => (watch.leaders.at(-1) !== leader ? true : undefined), 60_000, 100);
      await sleep(2_000);
      await cluster.node(leader).start();
      await settledStream(cluster);
    });
    // The stream really lost its leader and elected another (else this test would prove nothing).
    expect(watch.outages.length).toBeGreaterThan(0);
    expect(watch.leaders.filter((name) => name !== leader).length).toBeGreaterThan(0);
    // The visitors felt it: calls waited for the new leader (a publish tries for 5 s) or, past that, were refused.
    expect(answers.some((answer) => answer.status === 503 || answer.answeredAt - answer.sentAt > 1_000)).toBe(true);
  });

  it('never refuses a message across kill -9 of a follower, the node the gateway publishes through: the stream keeps its quorum', async () => {
    const follower = await gatewayOnFollower(cluster);
    let restartedAt = Infinity;
    const { answers, watch } = await underLoad(
      'follower killed',
      async () => {
        await follower.kill('SIGKILL');
        // The gateway found another node (else its publishes in flight were never at stake).
        await waitFor('the gateway on another node', async () => ((await cluster.nodesServing('gateway')).length > 0 ? true : undefined), 30_000, 100);
        await sleep(2_000);
        restartedAt = Date.now();
        await follower.start();
        await settledStream(cluster);
      },
      200,
    );
    // While the follower was dead the stream kept its quorum. Its return may call an election (a moment without a
    // leader, which the gateway's publish retries ride out: every answer below is a 202), so only the time before counts.
    expect(watch.outages.filter((outage) => outage.from < restartedAt)).toEqual([]);
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    // Publishes were in flight through the node that died (else this test would prove nothing): sent again once the gateway reconnected.
    expect(await metricTotal(system.gatewayUrl, 'inviaro_publish_resends_total', { subject: MessageInbound.subject, reason: 'reconnect' })).toBeGreaterThan(0);
  });

  it('still ends verified widget streams on a secret rotation once the node that led the gateway’s rotation consumer is gone', async () => {
    await settledStream(cluster);
    const own = await createWidget(system);
    const token = await new WidgetClient(system.gatewayUrl, own).newVisitor();
    const stream = await WidgetStream.open(system.gatewayUrl, own, { visitor_token: token, user_id: 'usr_1', user_hash: userHash('usr_1', own.secret) });
    const holder = cluster.node(await gatewayConsumerLeader(cluster, WidgetSecretRotated.subject));
    await holder.kill('SIGKILL');
    try {
      // A rotation while the stream cannot store takes effect but its event is dropped (the gateway logs it): not this test's case.
      await whenStream(cluster, 'a leader for the inbound stream', (state) => state?.leader);
      // Every rotate must answer 200 (asserted on each, none retried away); it is repeated until one has its event stored.
      const deadline = Date.now() + 60_000;
      for (let stored = false; !stored;) {
        if (Date.now() > deadline) throw new Error('no rotation had its event stored within 60 s');
        expect((await own.admin.rotateSecret(own.widgetId)).status).toBe(200);
        // The read may find no leader yet: then this rotation's event is not known to be stored.
        stored = (await lastRotation(cluster).catch(() => undefined)) === own.widgetId;
        if (!stored) await sleep(500);
      }
      await waitFor('the verified stream to end', async () => (stream.isClosed ? true : undefined), 30_000);
    } finally {
      stream.close();
      await holder.start();
    }
  });
});

/** What the visitors felt: how long no message was accepted, and which messages waited for a 202 and how long. */
function figures(answers: Answer[], watch: QuorumWatch, faultAt: number) {
  const accepted = answers.filter((answer) => answer.status === 202).sort((a, b) => a.answeredAt - b.answeredAt);
  let stall = 0;
  for (let i = 1; i < accepted.length; i++) {
    const [previous, answer] = [nth(accepted, i - 1), nth(accepted, i)];
    if (answer.answeredAt >= faultAt) stall = Math.max(stall, answer.answeredAt - previous.answeredAt);
  }
  const firstTry = new Map<string, number>();
  for (const answer of answers) if (!firstTry.has(answer.clientMessageId)) firstTry.set(answer.clientMessageId, answer.sentAt);
  // Delayed: accepted more than a second after its first attempt (a normal call answers within tens of milliseconds).
  const delays = accepted
    .map((answer) => answer.answeredAt - firstTry.get(answer.clientMessageId)!)
    .filter((ms) => ms > 1_000)
    .sort((a, b) => a - b);
  return {
    messages: firstTry.size,
    publishes_stalled_ms: stall,
    stream_without_quorum_ms: watch.outageMs(faultAt),
    refused_503: answers.filter((answer) => answer.status === 503).length,
    delayed_messages: delays.length,
    delay_ms_p50: delays[Math.floor(delays.length / 2)] ?? 0,
    delay_ms_max: delays.at(-1) ?? 0,
  };
}
