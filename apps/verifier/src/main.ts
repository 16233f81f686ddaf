import 'reflect-metadata';
import { JetStreamModule } from '@inviaro/jetstream';
import { exitOnStartFailure, runService } from '@inviaro/service';
import { createLogger, loadConfig } from '@inviaro/observability';
import { dataSourceOptions, postgresReadiness, retentionJob, SecretsModule } from '@inviaro/persistence';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FAILURE_RETENTION } from './failures/failure-retention';
import { VerifierConfig } from './verifier.config';
import { VerifierModule } from './verifier.module';

const logger = createLogger('verifier');

async function main() {
  const config = loadConfig(VerifierConfig);
  await runService({
    service: 'verifier',
    config,
    logger,
    readiness: (app) => [postgresReadiness(app.get(DataSource))],
    rootModule: (nc) => ({
      module: VerifierModule,
      imports: [JetStreamModule.forRoot(nc), TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL)), SecretsModule.register(config)],
      providers: [retentionJob(FAILURE_RETENTION, config.FAILURE_RETENTION_DAYS)],
    }),
  });
}

main().catch(exitOnStartFailure(logger));
