import { BusModule } from '@inviaro/bus';
import { PostgresModule } from '@inviaro/persistence';
import { SecretsModule } from '@inviaro/widget-secrets';
import { DynamicModule, Module } from '@nestjs/common';
import { NatsConnection } from 'nats';
import { AdminModule } from './admin/admin.module';
import { GatewayConfig } from '@inviaro/config';
import { RateLimitsModule } from './http/rate-limits';
import { LiveLimitsModule } from './live/live-limits';
import { InboundBacklogModule } from './http/inbound-backlog';
import { WidgetModule } from './widget/widget.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, nc: NatsConnection): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BusModule.forRoot(nc),
        PostgresModule.forRoot(config.DATABASE_URL),
        SecretsModule.register(config),
        RateLimitsModule.register(config),
        LiveLimitsModule.register(config),
        InboundBacklogModule.register(config),
        WidgetModule,
        AdminModule.register(config),
      ],
    };
  }
}
