import 'reflect-metadata';
import { exitOnStartFailure, runService } from '@inviaro/jetstream';
import { createLogger, loadConfig } from '@inviaro/observability';
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
    http: { host: config.HOST, port: config.PORT, configure: configureHttp },
  });
}

main().catch(exitOnStartFailure(logger));
