import 'reflect-metadata';
import { exitOnStartFailure, JetStreamModule, runService } from '@inviaro/jetstream';
import { createLogger, loadConfig } from '@inviaro/observability';
import { dataSourceOptions, postgresReadiness } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsConfig } from './contacts.config';
import { ContactsModule } from './contacts.module';
import { QueriesModule } from './queries/queries.module';

const logger = createLogger('contacts');

async function main() {
  const config = loadConfig(ContactsConfig);
  await runService({
    service: 'contacts',
    config,
    logger,
    readiness: (app) => [postgresReadiness(app.get(DataSource))],
    rootModule: (nc) => ({
      module: ContactsModule,
      imports: [JetStreamModule.forRoot(nc), TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL)), QueriesModule],
    }),
  });
}

main().catch(exitOnStartFailure(logger));
