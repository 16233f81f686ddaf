import 'reflect-metadata';
import { startService } from '@inviaro/service';
import { postgresReadiness } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { GatewayConfig } from './gateway.config';
import { configureHttp } from './http/configure-http';

startService('gateway', GatewayConfig, (config) => ({
  rootModule: (nc) => AppModule.register(config, nc),
  configureHttp,
  readiness: (app) => [postgresReadiness(app.get(DataSource))],
}));
