import 'reflect-metadata';
import { BusModule } from '@inviaro/bus';
import { startService } from '@inviaro/service';
import { PostgresModule, postgresReadiness } from '@inviaro/persistence';
import { Pool } from 'pg';
import { Module } from '@nestjs/common';
import { ContactsConfig } from '@inviaro/config';
import { ContactsModule } from './contacts.module';
import { QueriesModule } from './queries/queries.module';
import { ErasureModule } from './erasure/erasure.module';

/** The service's root: its modules come in through `imports` (they need the NATS connection and the configuration). */
@Module({})
class ContactsRootModule {}

startService('contacts', ContactsConfig, (config) => ({
  readiness: (app) => [postgresReadiness(app.get(Pool))],
  rootModule: (nc) => ({
    module: ContactsRootModule,
    imports: [
      BusModule.forRoot(nc),
      PostgresModule.forRoot(config.DATABASE_URL, config.DATABASE_POOL_SIZE),
      ContactsModule.register({ maxBatch: config.ATTRIBUTION_BATCH_MAX, maxInFlight: config.ATTRIBUTION_TRANSACTIONS }, config.VISITOR_EVENTS_RETENTION_DAYS),
      QueriesModule,
      ErasureModule,
    ],
  }),
}));
