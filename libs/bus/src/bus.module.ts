import { NATS_CONNECTION } from '@inviaro/jetstream';
import { DynamicModule, Module } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { EventPublisher } from './event-publisher';
import { RequestClient } from './request-client';

/** Makes the process's NATS connection and the event publisher and request client injectable everywhere. */
@Module({})
export class BusModule {
  static forRoot(nc: NatsConnection): DynamicModule {
    return {
      module: BusModule,
      global: true,
      providers: [{ provide: NATS_CONNECTION, useValue: nc }, EventPublisher, RequestClient],
      exports: [NATS_CONNECTION, EventPublisher, RequestClient],
    };
  }
}
