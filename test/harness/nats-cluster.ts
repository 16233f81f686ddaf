import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, launch, logFile, rememberNatsCredentials, restartable, ServerHandle } from '@inviaro/local-servers';
import { connectTestNats } from './nats-auth';
import { natsAuth } from './servers';
import { waitFor } from './wait';

/** One node of the cluster: restartable on the same ports and store, like a single server. */
export interface ClusterNode extends ServerHandle {
  /** Its server name, as JetStream reports a stream's leader and replicas. */
  name: string;
  /** Its monitoring endpoint (`/connz`, `/jsz`, …), on loopback. */
  monitorUrl: string;
}

export interface NatsCluster {
  /** Every node's address, comma-separated: a NATS_URL for the services and the CLI. */
  url: string;
  nodes: ClusterNode[];
  /** The node named so (by a stream's `cluster.leader`, say). */
  node(name: string): ClusterNode;
  /** The nodes that hold a client connection of this NATS user now (a service's, say), from each node's `/connz`. */
  nodesServing(user: string): Promise<ClusterNode[]>;
  stop(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Nodes; default 3 (a quorum of 2 survives one loss). */
  size?: number;
  /** Keep each node's store under `<dataDir>/<node>`; default: a temporary folder removed on stop. */
  dataDir?: string;
  /** Write each node's output to `<logDir>/<node>.log`. */
  logDir?: string;
  clusterName?: string;
}

/**
 * A JetStream cluster on loopback from the same nats-server binary as the single server: each node
 * has its client port, its route port (every node routes to every other), and a store of its own.
 * Every node has the single server's users and permissions (natsAuth). Resolves once the cluster
 * has elected its JetStream meta leader, i.e. streams can be created.
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'inviaro-nats-cluster-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })));
  const routes = ports.map((port) => `nats-route://127.0.0.1:${port.route}`);
  const auth = natsAuth();
  const nodes: ClusterNode[] = [];
  const stopAll = () => Promise.allSettled(nodes.map((node) => node.kill('SIGTERM')));
  try {
    for (const [i, port] of ports.entries()) {
      const name = `n${i + 1}`;
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const configPath = join(dir, 'nats.conf');
      writeFileSync(
        configPath,
        nodeConfig({
          name,
          clientPort: port.client,
          routePort: port.route,
          monitorPort: port.monitor,
          routes,
          storeDir: join(dir, 'jetstream'),
          clusterName: options.clusterName ?? 'inviaro',
          authorization: auth.config,
        }),
      );
      const handle = await restartable(name, `nats://127.0.0.1:${port.client}`, () =>
        launch(name, 'nats-server', ['-c', configPath], { readyWhen: /Server is ready/, log: logFile(options, `nats-${name}`) }),
      );
      nodes.push({ ...handle, name, monitorUrl: `http://127.0.0.1:${port.monitor}` });
    }
    const url = nodes.map((node) => node.url).join(',');
    for (const address of [url, ...nodes.map((node) => node.url)]) rememberNatsCredentials(address, auth.credentials);
    await waitForMetaLeader(url);
    return {
      url,
      nodes,
      node(name) {
        const found = nodes.find((node) => node.name === name);
        if (!found) throw new Error(`no cluster node named ${name}`);
        return found;
      },
      async nodesServing(user) {
        const serving = await Promise.all(nodes.map(async (node) => ((await connectedUsers(node)).includes(user) ? [node] : [])));
        return serving.flat();
      },
      async stop() {
        await stopAll();
        if (!options.dataDir) rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll();
    if (!options.dataDir) rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/** The users of a node's client connections; none while it is down. */
async function connectedUsers(node: ClusterNode): Promise<string[]> {
  const answer = await fetch(`${node.monitorUrl}/connz?auth=true&limit=1024`).catch(() => undefined);
  if (!answer?.ok) return [];
  const { connections } = (await answer.json()) as { connections?: { authorized_user?: string }[] };
  return (connections ?? []).flatMap((connection) => (connection.authorized_user ? [connection.authorized_user] : []));
}

function nodeConfig(node: {
  name: string;
  clientPort: number;
  routePort: number;
  monitorPort: number;
  routes: string[];
  storeDir: string;
  clusterName: string;
  authorization: string;
}): string {
  return [
    `server_name: ${node.name}`,
    `listen: 127.0.0.1:${node.clientPort}`,
    `http: 127.0.0.1:${node.monitorPort}`,
    `jetstream { store_dir: "${node.storeDir}" }`,
    // A node lists itself among the routes too: nats-server skips that one, and every node's file is alike.
    `cluster { name: ${node.clusterName}, listen: 127.0.0.1:${node.routePort}, routes: [${node.routes.join(', ')}] }`,
    node.authorization,
    '',
  ].join('\n');
}

/** The cluster answers JetStream requests once its nodes have found each other and elected a meta leader. */
async function waitForMetaLeader(url: string): Promise<void> {
  const nc = await connectTestNats(url, { maxReconnectAttempts: -1 });
  try {
    await waitFor(
      'the JetStream meta leader',
      async () => {
        const jsm = await nc.jetstreamManager({ timeout: 1000 });
        await jsm.getAccountInfo();
        return true;
      },
      60_000,
      250,
    );
  } finally {
    await nc.close();
  }
}
