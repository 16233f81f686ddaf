import 'reflect-metadata';
import { BusModule } from '@inviaro/bus';
import { startService } from '@inviaro/service';
import { dataSourceOptions, postgresReadiness } from '@inviaro/persistence';
import { DataSource } from 'typeorm';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContactsConfig } from '@inviaro/config';
import { ContactsModule } from './contacts.module';
import { QueriesModule } from './queries/queries.module';

/** The service's root: its modules come in through `imports` (they need the NATS connection and the configuration). */
@Module({})
class ContactsRootModule {}

startService('contacts', ContactsConfig, (config) => ({
  readiness: (app) => [postgresReadiness(app.get(DataSource))],
  rootModule: (nc) => ({
    module: ContactsRootModule,
    imports: [
      BusModule.forRoot(nc),
      TypeOrmModule.forRoot(dataSourceOptions(config.DATABASE_URL, config.DATABASE_POOL_SIZE)),
      ContactsModule.register({ maxBatch: config.ATTRIBUTION_BATCH_MAX, maxInFlight: config.ATTRIBUTION_TRANSACTIONS }, config.VISITOR_EVENTS_RETENTION_DAYS),
      QueriesModule,
    ],
  }),
}));
