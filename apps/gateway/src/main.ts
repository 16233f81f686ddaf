import 'reflect-metadata';
import { startService } from '@inviaro/service';
import { postgresReadiness } from '@inviaro/persistence';
import { Pool } from 'pg';
import { AppModule } from './app.module';
import { GatewayConfig } from '@inviaro/config';
import { configureHttp } from './configure-http';
import { API_DESCRIPTION_PATHS } from './openapi/openapi';
import { RefusalLog } from './http/refusal-log';

startService('gateway', GatewayConfig, (config) => ({
  rootModule: (nc) => AppModule.register(config, nc),
  configureHttp,
  requestLine: new RefusalLog(config.REFUSAL_LOG_SECONDS).fields,
  operatorPaths: API_DESCRIPTION_PATHS,
  readiness: (app) => [postgresReadiness(app.get(Pool))],
}));
