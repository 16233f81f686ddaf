import { ReadinessCheck, SERVICE_LOGGER } from '@inviaro/observability';
import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { Logger } from 'pino';
import { execute, openPool } from './sql';

/** The pool's size where a service has no setting of its own (the contacts service has DATABASE_POOL_SIZE). */
const DEFAULT_POOL_SIZE = 10;

/** The service's one `pg.Pool` (docs/data-model.md#data-access), injected as `Pool`, ended on shutdown. */
@Module({})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(Pool) private readonly pool: Pool) {}

  static forRoot(url: string, poolSize = DEFAULT_POOL_SIZE): DynamicModule {
    return {
      module: PostgresModule,
      global: true,
      providers: [
        {
          provide: Pool,
          useFactory: (logger: Logger) =>
            openPool(url, poolSize, (error) => logger.warn({ err: error.message }, 'an idle PostgreSQL connection broke; the pool opens another when asked')),
          inject: [SERVICE_LOGGER],
        },
      ],
      exports: [Pool],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

export function postgresReadiness(pool: Pool): ReadinessCheck {
  return { name: 'postgres', check: () => execute(pool, 'SELECT 1') };
}
