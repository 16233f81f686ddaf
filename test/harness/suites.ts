/// <reference types="jest" />
import { ensureStreams } from '@inviaro/bus';
import { CommonConfig } from '@inviaro/config';
import { ConnectionOptions, NatsConnection } from 'nats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWidget, TestWidget } from './fixtures';
import { connectTestNats } from './nats-auth';
import { ServerHandle, SystemOptions } from '@inviaro/local-servers';
import { natsServer } from './servers';
import { RunningSystem, startSystem } from './system';
import { WidgetClient } from './widget-client';

/** Every widget and admin rate limit of the gateway, lifted past what a suite sends: for suites whose load is not what they test. */
export const RATE_LIMITS_LIFTED = {
  RATE_LIMIT_ADDRESS_PER_MINUTE: '1000000',
  RATE_LIMIT_NEW_VISITORS_PER_MINUTE: '1000000',
  RATE_LIMIT_VISITOR_PER_MINUTE: '1000000',
  RATE_LIMIT_WIDGET_PER_MINUTE: '1000000',
  RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE: '1000000',
};

export interface WidgetSuite {
  system: RunningSystem;
  widget: TestWidget;
  /** Calls the widget API as the widget's own page. */
  client: WidgetClient;
}

/** The whole system with one widget, started before a suite's tests and stopped after them. */
export function widgetSuite(options: SystemOptions = {}): WidgetSuite {
  const suite = {} as WidgetSuite;
  beforeAll(async () => {
    suite.system = await startSystem(options);
    suite.widget = await createWidget(suite.system);
    suite.client = new WidgetClient(suite.system.gatewayUrl, suite.widget);
  });
  afterAll(() => suite.system?.stop());
  return suite;
}

export interface BusSuite {
  server: ServerHandle;
  /** The harness's own connection (a user with every right). */
  nc: NatsConnection;
}

/** One nats-server, with the services' users and every stream, and a harness connection: started before a suite, stopped after it. */
export function busSuite(options: ConnectionOptions = {}): BusSuite {
  const suite = {} as BusSuite;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inviaro-bus-'));
    suite.server = await natsServer(dir);
    suite.nc = await connectTestNats(suite.server.url, options);
    await ensureStreams(await suite.nc.jetstreamManager(), new CommonConfig());
  });
  afterAll(async () => {
    await suite.nc?.close();
    await suite.server?.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return suite;
}
