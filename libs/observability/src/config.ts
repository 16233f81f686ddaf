import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsIP, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

export class ConfigError extends Error {}

/** Settings every service reads. Each service's own class extends this one. */
export class CommonConfig {
  /** One server, or every node of a cluster, comma-separated. */
  @Matches(/^nats:\/\/[^,\s]+(\s*,\s*nats:\/\/[^,\s]+)*$/, { message: 'NATS_URL must look like nats://host:port, or a comma-separated list of them' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** Copies of every stream: 1 on one server, 3 (or 5) on a cluster of at least that many nodes. */
  @IsInt()
  @Min(1)
  @Max(5)
  NATS_STREAM_REPLICAS: number = 1;

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must look like postgres://user:pass@host:port/db' })
  DATABASE_URL: string = 'postgres://inviaro:inviaro@127.0.0.1:5432/inviaro';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Where the service answers HTTP: the gateway's API, and every service's health and metrics. */
  @IsIP()
  HOST: string = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 8080;

  /** Names this process's connections, so operators can tell instances apart. */
  @IsOptional()
  @IsString()
  INSTANCE_NAME?: string;
}

/**
 * Reads a configuration class from the environment and stops the service with a message that
 * names every missing or malformed variable (never its value: some of them are credentials).
 */
export function loadConfig<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const declared = new Set(getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false).map((m) => m.propertyName));
  const given = Object.fromEntries([...declared].filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
  const config = plainToInstance(cls, given, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return config;
}
