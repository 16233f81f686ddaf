import 'reflect-metadata';
import { exitOnStartFailure, runService } from '@inviaro/service';
import { createLogger, loadConfig } from '@inviaro/observability';
import { postgresReadiness } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { GatewayConfig } from './gateway.config';
import { configureHttp } from './http/configure-http';

const logger = createLogger('gateway');

async function main() {
  const config = loadConfig(GatewayConfig);
  await runService({
    service: 'gateway',
    config,
    logger,
    rootModule: (nc) => AppModule.register(config, nc),
    configureHttp,
    readiness: (app) => [postgresReadiness(app.get(DataSource))],
  });
}

main().catch(exitOnStartFailure(logger));
