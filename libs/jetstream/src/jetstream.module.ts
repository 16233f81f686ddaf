import { DynamicModule, Module } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { EventPublisher, NATS_CONNECTION } from './event-publisher';
import { RequestClient } from './request-client';

/** Makes the process's NATS connection and the event publisher injectable everywhere. */
@Module({})
export class JetStreamModule {
  static forRoot(nc: NatsConnection): DynamicModule {
    return {
      module: JetStreamModule,
      global: true,
      providers: [{ provide: NATS_CONNECTION, useValue: nc }, EventPublisher, RequestClient],
      exports: [NATS_CONNECTION, EventPublisher, RequestClient],
    };
  }
}
