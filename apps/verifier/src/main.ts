import 'reflect-metadata';
import { JetStreamModule } from '@inviaro/jetstream';
import { startService } from '@inviaro/service';
import { PostgresModule, postgresReadiness, retentionJob, SecretsModule } from '@inviaro/persistence';
import { Pool } from 'pg';
import { FAILURE_RETENTION } from './failures/failure-retention';
import { VerifierConfig } from './verifier.config';
import { VerifierModule } from './verifier.module';

startService('verifier', VerifierConfig, (config) => ({
  readiness: (app) => [postgresReadiness(app.get(Pool))],
  rootModule: (nc) => ({
    module: VerifierModule,
    imports: [JetStreamModule.forRoot(nc), PostgresModule.forRoot(config.DATABASE_URL), SecretsModule.register(config)],
    providers: [retentionJob(FAILURE_RETENTION, config.FAILURE_RETENTION_DAYS)],
  }),
}));
