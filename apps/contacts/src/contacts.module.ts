import { DynamicModule, Module } from '@nestjs/common';
import { ATTRIBUTION_BATCHING, AttributionHandler } from './attribution.handler';
import { AttributionStore } from './attribution/attribution.store';
import { MicroBatcherOptions } from './attribution/micro-batcher';

@Module({})
export class ContactsModule {
  static register(batching: MicroBatcherOptions): DynamicModule {
    return { module: ContactsModule, controllers: [AttributionHandler], providers: [AttributionStore, { provide: ATTRIBUTION_BATCHING, useValue: batching }] };
  }
}
