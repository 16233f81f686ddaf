import 'reflect-metadata';
import { JetStreamModule } from '@inviaro/jetstream';
import { exitOnStartFailure, runService } from '@inviaro/service';
import { createLogger, loadConfig } from '@inviaro/observability';
import { dataSourceOptions, postgresReadiness } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsConfig } from './contacts.config';
import { ContactsModule } from './contacts.module';
import { QueriesModule } from './queries/queries.module';

/** The service's root: its modules come in through `imports` (they need the NATS connection and the configuration). */
@Module({})
class ContactsRootModule {}

const logger = createLogger('contacts');

async function main() {
  const config = loadConfig(ContactsConfig);
  await runService({
    service: 'contacts',
    config,
    logger,
    readiness: (app) => [postgresReadiness(app.get(DataSource))],
    rootModule: (nc) => ({
      module: ContactsRootModule,
      imports: [
        JetStreamModule.forRoot(nc),
        TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
        ContactsModule.register({ maxBatch: config.ATTRIBUTION_BATCH_MAX, maxInFlight: config.ATTRIBUTION_TRANSACTIONS }, config.VISITOR_EVENTS_RETENTION_DAYS),
        QueriesModule,
      ],
    }),
  });
}

main().catch(exitOnStartFailure(logger));
