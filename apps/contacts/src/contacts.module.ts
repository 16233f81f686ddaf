import { retentionJob } from '@inviaro/persistence';
import { DynamicModule, Module } from '@nestjs/common';
import { AttributionHandler } from './attribution.handler';
import { ATTRIBUTION_BATCHING, AttributionStore } from './attribution/attribution.store';
import { MicroBatcherOptions } from './attribution/micro-batcher';
import { TIMELINE_RETENTION } from './attribution/timeline-retention';

@Module({})
export class ContactsModule {
  static register(batching: MicroBatcherOptions, timelineRetentionDays: number): DynamicModule {
    return {
      module: ContactsModule,
      controllers: [AttributionHandler],
      providers: [AttributionStore, { provide: ATTRIBUTION_BATCHING, useValue: batching }, retentionJob(TIMELINE_RETENTION, timelineRetentionDays)],
    };
  }
}
