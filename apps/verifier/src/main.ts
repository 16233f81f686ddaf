import 'reflect-metadata';
import { BusModule } from '@inviaro/bus';
import { startService } from '@inviaro/service';
import { dataSourceOptions, postgresReadiness, retentionJob } from '@inviaro/persistence';
import { SecretsModule } from '@inviaro/widget-secrets';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FAILURE_RETENTION } from './failures/failure-retention';
import { VerifierConfig } from '@inviaro/config';
import { VerifierModule } from './verifier.module';

startService('verifier', VerifierConfig, (config) => ({
  readiness: (app) => [postgresReadiness(app.get(DataSource))],
  rootModule: (nc) => ({
    module: VerifierModule,
    imports: [BusModule.forRoot(nc), TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL)), SecretsModule.register(config)],
    providers: [retentionJob(FAILURE_RETENTION, config.FAILURE_RETENTION_DAYS)],
  }),
}));
