import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsIP, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf, validateSync } from 'class-validator';

export class ConfigError extends Error {}

/** A whole-number setting from `min` (to `max`): the checks every numeric setting has, applied as their stacked decorators were. */
export function IntSetting(min: number, max?: number): PropertyDecorator {
  const checks = [...(max === undefined ? [] : [Max(max)]), Min(min), IsInt()];
  return (target, property) => {
    for (const check of checks) check(target, property);
  };
}

/** Settings every service reads. Each service's own class extends this one. */
export class CommonConfig {
  /** One server, or every node of a cluster, comma-separated. */
  @Matches(/^(nats|tls):\/\/[^,\s]+(\s*,\s*(nats|tls):\/\/[^,\s]+)*$/, { message: 'NATS_URL must look like nats://host:port (or tls://host:port), or a comma-separated list of them' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** This service's own NATS user (docs/security.md#the-event-bus); without one, the server must accept anonymous clients. */
  @ValidateIf((config: CommonConfig) => config.NATS_USER !== undefined || config.NATS_PASSWORD !== undefined)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'NATS_USER must be a plain user name (it names the client\'s reply inboxes) and is required with NATS_PASSWORD' })
  NATS_USER?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_USER !== undefined)
  @IsString({ message: 'NATS_PASSWORD is required with NATS_USER' })
  @MinLength(1, { message: 'NATS_PASSWORD is required with NATS_USER' })
  NATS_PASSWORD?: string;

  /** TLS to NATS: the CA that signed the server's certificate; a client certificate and key where the server asks for one. */
  @IsOptional()
  @IsString()
  NATS_TLS_CA_FILE?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_TLS_KEY_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_CERT_FILE is required with NATS_TLS_KEY_FILE' })
  NATS_TLS_CERT_FILE?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_TLS_CERT_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_KEY_FILE is required with NATS_TLS_CERT_FILE' })
  NATS_TLS_KEY_FILE?: string;

  /** Copies of every stream: 1 on one server, 3 (or 5) on a cluster of at least that many nodes. */
  @IntSetting(1, 5)
  NATS_STREAM_REPLICAS: number = 1;

  /** A service's own role (docs/data-model.md#database-roles). The default names no user or password: no password is written in code. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must look like postgres://user:pass@host:port/db' })
  DATABASE_URL: string = 'postgres://127.0.0.1:5432/inviaro';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Where the service answers HTTP: the gateway's API, and every service's health and metrics. */
  @IsIP()
  HOST: string = '127.0.0.1';

  @IntSetting(1, 65535)
  PORT: number = 8080;

  /**
   * The operator's port: health, metrics (and the gateway's API description) move here from PORT, which
   * then serves only the product's API. For a deployment whose PORT is public (compose); unset, PORT serves both.
   */
  @IsOptional()
  @IntSetting(1, 65535)
  @ValidateBy({ name: 'notThePort', validator: { validate: (port, args) => port !== (args?.object as CommonConfig).PORT, defaultMessage: () => 'OPS_PORT must differ from PORT' } })
  OPS_PORT?: number;

  /**
   * Stream limits, provisioned by every service at start (set them alike everywhere). A full stream
   * refuses new events: the gateway answers 503 with Retry-After, a consumer retries its publish.
   */
  @IntSetting(1024 * 1024)
  INVIARO_EVENTS_MAX_BYTES: number = 2 * 1024 ** 3;

  @IntSetting(1024 * 1024)
  INVIARO_INBOUND_MAX_BYTES: number = 512 * 1024 ** 2;

  @IntSetting(1024 * 1024)
  INVIARO_DEAD_LETTERS_MAX_BYTES: number = 512 * 1024 ** 2;

  /** How long an event may wait for a verifier in INVIARO_INBOUND before the server drops it. */
  @IntSetting(1, 24 * 30)
  INVIARO_INBOUND_MAX_AGE_HOURS: number = 72;

  /** The largest single event any stream stores; above the gateway's 100 kB body limit with room for the envelope. */
  @IntSetting(4096, 1024 * 1024)
  STREAM_MAX_MSG_BYTES: number = 256 * 1024;

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
