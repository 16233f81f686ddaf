/// <reference types="jest" />
import { randomUUID } from 'node:crypto';
import { EventContract, EventEnvelope } from '@inviaro/contracts';
import { generateMasterKey, KeyRing } from '@inviaro/crypto';
import { EventPublisher, PublishMeta } from '@inviaro/bus';
import { createWorkspace, newWidgetKey, onlyRow, openPool, runMigrations, transaction } from '@inviaro/persistence';
import { connectRedis, PreviousSecretUses, SecretCache, WidgetSecretVault } from '@inviaro/widget-secrets';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { freePort } from '@inviaro/local-servers';
import { startServers } from './servers';

/** What secret administration works on, on a real PostgreSQL (as the gateway's role) and Redis: for the gateway's use-case specs. */
export interface SecretStores {
  db: Pool;
  vault: WidgetSecretVault;
  cache: SecretCache;
  previousUses: PreviousSecretUses;
  /** The same stores with Redis out of reach: each command fails at once, as with Redis down. */
  unreachable: { cache: SecretCache; previousUses: PreviousSecretUses };
  /** A widget of a workspace of its own, with its first secret (version 1). */
  createWidget(): Promise<{ id: string; workspace_id: string }>;
  /** What PostgreSQL holds (committed) of a widget's secrets and what the cache marks: the state an event must follow. */
  stateOf(widgetId: string): Promise<{ status: { version: number; previousLive: boolean }; marks: Awaited<ReturnType<SecretCache['marks']>> }>;
  stop(): Promise<void>;
}

/** Starting the servers takes seconds on a busy machine: beyond jest's default 5 s for a hook. */
const START_TIMEOUT_MS = 60_000;

/** The stores, started before a spec's tests and stopped after them. */
export function secretStoresSuite(): SecretStores {
  const suite = {} as SecretStores;
  beforeAll(async () => {
    Object.assign(suite, await startSecretStores());
  }, START_TIMEOUT_MS);
  afterAll(() => suite.stop?.());
  return suite;
}

export async function startSecretStores(): Promise<SecretStores> {
  const servers = await startServers();
  await runMigrations(servers.databaseUrl);
  // A broken idle connection is the test's failure to see, not a crash of the test process.
  const owner = openPool(servers.databaseUrl, 2, () => undefined);
  const db = openPool(servers.serviceDatabaseUrls.gateway, 4, () => undefined);
  const redis = connectRedis(servers.redisUrl);
  // A port nothing serves, no queue and no reconnect: every command is refused at once, as with Redis down,
  // and the client ends by itself after its one refused connection (no handle left open).
  const away = new Redis({ port: await freePort(), host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
  const vault = new WidgetSecretVault(db, KeyRing.parse(`m1:${generateMasterKey()}`));
  const cache = new SecretCache(redis, 300);
  return {
    db,
    vault,
    cache,
    previousUses: new PreviousSecretUses(redis),
    unreachable: { cache: new SecretCache(away, 300), previousUses: new PreviousSecretUses(away) },
    async createWidget() {
      const { workspace_id } = await createWorkspace(owner, 'secret administration');
      return transaction(db, async (tx) => {
        const widget = await onlyRow<{ id: string; workspace_id: string }>(
          tx,
          `INSERT INTO widgets (workspace_id, key, name, allowed_origins) VALUES ($1, $2, $3, $4) RETURNING id, workspace_id`,
          [workspace_id, newWidgetKey(), 'test widget', ['https://shop.example']],
        );
        await vault.create(tx, widget.id);
        return widget;
      });
    },
    async stateOf(widgetId) {
      return { status: await vault.status(widgetId), marks: await cache.marks([widgetId]) };
    },
    async stop() {
      redis.disconnect();
      await Promise.all([db.end(), owner.end()]);
      await servers.stop();
    },
  };
}

export interface RecordedPublish {
  subject: string;
  data: object;
  /** What `observe` saw when the publish began: the state the event follows. */
  seen: unknown;
}

/**
 * The publish step, recorded instead of sent: a real one needs NATS and the streams, and the system tests
 * (secret-rotation, widget-admin) read the real events; a use-case spec asks only when it comes, and what it
 * follows. `fail` makes every publish throw, as a bus that is away would.
 */
export function recordingPublisher(observe: () => Promise<unknown> = async () => undefined) {
  const published: RecordedPublish[] = [];
  const publisher: Pick<EventPublisher, 'publish'> & { fail?: Error } = {
    async publish<T extends object>(contract: EventContract<T>, data: T, meta: PublishMeta): Promise<EventEnvelope<T>> {
      published.push({ subject: contract.subject, data, seen: await observe() });
      if (publisher.fail) throw publisher.fail;
      return {
        id: randomUUID(),
        subject: contract.subject,
        schema_version: contract.schemaVersion,
        correlation_id: meta.correlationId,
        occurred_at: new Date().toISOString(),
        data,
      };
    },
  };
  return { publisher, published };
}

/** The status and body of the HTTP error a call was refused with (a Nest HttpException). */
export async function httpRefusal(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error: unknown = await call.then(
    () => new Error('the call was not refused'),
    (refused: unknown) => refused,
  );
  const http = error as { getStatus?: () => number; getResponse?: () => unknown };
  if (typeof http.getStatus !== 'function' || typeof http.getResponse !== 'function') throw error;
  return { status: http.getStatus(), body: http.getResponse() };
}
