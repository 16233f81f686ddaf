import {
  createLogger,
  HealthModule,
  httpMetrics,
  MetricsModule,
  NestPinoLogger,
  ReadinessCheck,
  ReadinessChecks,
  requestLog,
  RequestLineFields,
  SERVICE_LOGGER,
} from '@inviaro/observability';
import { CommonConfig, loadConfig } from '@inviaro/config';
import { DynamicModule, INestApplication, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BUS_ROUTING, connectBus } from '@inviaro/bus';
import { JetStreamServer, JetStreamServerOptions } from '@inviaro/jetstream';
import { RequestHandler } from 'express';
import { NatsConnection } from 'nats';
import { createServer, RequestListener, Server } from 'node:http';
import { Logger } from 'pino';

export interface ServiceDefinition {
  /** Names the durable consumers and queue group its instances share, and the log lines. */
  service: string;
  config: CommonConfig;
  logger: Logger;
  rootModule: (nc: NatsConnection) => Type | DynamicModule;
  /** Pipes, filters and the like for the service's HTTP surface. */
  configureHttp?: (app: INestApplication) => void;
  /** The service's own fields for a request's log line (the gateway's refused widget calls). */
  requestLine?: RequestLineFields;
  /** Dependencies besides NATS that `/health/ready` checks. */
  readiness?: (app: INestApplication) => ReadinessCheck[];
  /** The service's own operator paths beside health and metrics (the gateway's API description): on OPS_PORT where one is set. */
  operatorPaths?: string[];
  transport?: Partial<Omit<JetStreamServerOptions, 'service' | 'logger' | 'routing'>>;
}

/**
 * Starts one service process: NATS first (streams provisioned), then the Nest application with
 * its event handlers on JetStream; SIGTERM/SIGINT stop taking work, finish what is in hand,
 * and drain the connection. Prints `ready` once it takes traffic.
 */
export async function runService(definition: ServiceDefinition): Promise<INestApplication> {
  const { config, logger, service } = definition;
  const nc = await connectBus(config, config.INSTANCE_NAME ?? `${service}-${process.pid}`, logger);
  const root = { module: ServiceRootModule, imports: [definition.rootModule(nc), HealthModule, MetricsModule, LoggerModule.register(logger)] };
  const app = await NestFactory.create(root, { logger: new NestPinoLogger(logger) });
  app.get(ReadinessChecks).add(natsReadiness(nc), ...(definition.readiness?.(app) ?? []));
  if (config.OPS_PORT !== undefined) app.use(eachPortItsPaths(config.OPS_PORT, [...OPERATOR_PATHS, ...(definition.operatorPaths ?? [])]));
  app.use(httpMetrics, requestLog(logger, definition.requestLine));
  definition.configureHttp?.(app);
  app.connectMicroservice(
    {
      strategy: new JetStreamServer(nc, {
        service,
        logger,
        routing: BUS_ROUTING,
        ownConsumerInactiveMs: config.OWN_CONSUMER_INACTIVE_SECONDS * 1000,
        ...definition.transport,
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  const opsServer =
    config.OPS_PORT === undefined ? undefined : await listen(createServer(app.getHttpAdapter().getInstance() as RequestListener), config.OPS_PORT, config.HOST);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    opsServer?.close();
    await app.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  logger.info({ http: `http://${config.HOST}:${config.PORT}`, ...(opsServer && { ops: `http://${config.HOST}:${config.OPS_PORT}` }) }, 'ready');
  return app;
}

/** What operators and their tools read, never visitors: health checks and metrics. */
const OPERATOR_PATHS = ['/health', '/metrics'];

/**
 * With an operator's port, each port answers only its own paths: the public port never shows health,
 * metrics or internals, and the operator's port serves none of the product's API.
 */
function eachPortItsPaths(opsPort: number, operatorPaths: string[]): RequestHandler {
  const forOperators = (path: string) => operatorPaths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
  return (request, response, next) => {
    if (forOperators(request.path) === (request.socket.localPort === opsPort)) return next();
    response.status(404).json({ error: { code: 'not_found', message: `Cannot ${request.method} ${request.path} on this port` } });
  };
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

@Module({})
class ServiceRootModule {}

@Module({})
class LoggerModule {
  static register(logger: Logger): DynamicModule {
    return { module: LoggerModule, global: true, providers: [{ provide: SERVICE_LOGGER, useValue: logger }], exports: [SERVICE_LOGGER] };
  }
}

function natsReadiness(nc: NatsConnection): ReadinessCheck {
  return {
    name: 'nats',
    check: async () => {
      if (nc.isClosed()) throw new Error('connection closed');
      await nc.flush();
    },
  };
}

/**
 * A service's `main`: its configuration read from the environment, then `runService` with what
 * `define` makes of it. A start failure (bad configuration, unreachable dependency) is one clear
 * line and exit code 1.
 */
export function startService<C extends CommonConfig>(
  service: string,
  configClass: new () => C,
  define: (config: C) => Omit<ServiceDefinition, 'service' | 'config' | 'logger'>,
): void {
  const logger = createLogger(service);
  const start = async () => {
    const config = loadConfig(configClass);
    await runService({ service, config, logger, ...define(config) });
  };
  start().catch((error: unknown) => {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'could not start');
    process.exit(1);
  });
}
