import 'reflect-metadata';
import { BusModule } from '@inviaro/bus';
import { startService } from '@inviaro/service';
import { PostgresModule, postgresReadiness, retentionJob } from '@inviaro/persistence';
import { SecretsModule } from '@inviaro/widget-secrets';
import { Pool } from 'pg';
import { FAILURE_RETENTION } from './failures/failure-retention';
import { VERIFICATION_COUNTS_RETENTION } from './health/verification-counts';
import { VerifierConfig } from '@inviaro/config';
import { VerifierModule } from './verifier.module';

startService('verifier', VerifierConfig, (config) => ({
  readiness: (app) => [postgresReadiness(app.get(Pool))],
  rootModule: (nc) => ({
    module: VerifierModule,
    imports: [BusModule.forRoot(nc), PostgresModule.forRoot(config.DATABASE_URL), SecretsModule.register(config)],
    providers: [
      retentionJob(FAILURE_RETENTION, config.FAILURE_RETENTION_DAYS),
      retentionJob(VERIFICATION_COUNTS_RETENTION, config.VERIFICATION_COUNTS_RETENTION_DAYS),
    ],
  }),
}));
