import { CommonConfig, NestPinoLogger } from '@inviaro/observability';
import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NatsConnection } from 'nats';
import { Logger } from 'pino';
import { connectJetStream } from './connection';
import { JetStreamServer, JetStreamServerOptions } from './jetstream.server';

export interface ServiceDefinition {
  /** Names the durable consumers and queue group its instances share, and the log lines. */
  service: string;
  config: CommonConfig;
  logger: Logger;
  rootModule: (nc: NatsConnection) => Type | DynamicModule;
  /** Serve HTTP as well (the gateway). */
  http?: { host: string; port: number; configure?: (app: INestApplication) => void };
  transport?: Partial<Omit<JetStreamServerOptions, 'service' | 'logger'>>;
}

/**
 * Starts one service process: NATS first (streams provisioned), then the Nest application with
 * its event handlers on JetStream; SIGTERM/SIGINT stop taking work, finish what is in hand,
 * and drain the connection. Prints `ready` once it takes traffic.
 */
export async function runService(definition: ServiceDefinition): Promise<INestApplication> {
  const { config, logger, service } = definition;
  const nc = await connectJetStream(config.NATS_URL, config.INSTANCE_NAME ?? `${service}-${process.pid}`, logger);
  const app = await NestFactory.create(definition.rootModule(nc), { logger: new NestPinoLogger(logger), bodyParser: !definition.http ? false : undefined });
  definition.http?.configure?.(app);
  app.connectMicroservice({ strategy: new JetStreamServer(nc, { service, logger, ...definition.transport }) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  if (definition.http) await app.listen(definition.http.port, definition.http.host);
  else await app.init();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await app.close();
    await nc.drain();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  logger.info({ http: definition.http ? `http://${definition.http.host}:${definition.http.port}` : undefined }, 'ready');
  return app;
}

/** Turns a start failure (bad configuration, unreachable dependency) into one clear line and exit code 1. */
export function exitOnStartFailure(logger: Logger) {
  return (error: unknown) => {
    logger.fatal({ err: error instanceof Error ? error.message : String(error) }, 'could not start');
    process.exit(1);
  };
}
