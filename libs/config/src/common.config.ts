import { IsIn, IsIP, IsOptional, IsString, Matches, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { IntSetting, ReadBy, Setting } from './setting';

/** Settings every service reads. Each service's own class extends this one. */
@ReadBy('all')
export class CommonConfig {
  /** One server, or every node of a cluster, comma-separated. */
  @Matches(/^(nats|tls):\/\/[^,\s]+(\s*,\s*(nats|tls):\/\/[^,\s]+)*$/, {
    message: 'NATS_URL must look like nats://host:port (or tls://host:port), or a comma-separated list of them',
  })
  @Setting('NATS with JetStream (`tls://` for TLS): one server, or every node of a cluster, comma-separated', { usedBy: 'all, CLI' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /** This service's own NATS user (docs/security.md#the-event-bus); without one, the server must accept anonymous clients. */
  @ValidateIf((config: CommonConfig) => config.NATS_USER !== undefined || config.NATS_PASSWORD !== undefined)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: "NATS_USER must be a plain user name (it names the client's reply inboxes) and is required with NATS_PASSWORD" })
  @Setting(
    "the process's own NATS user (`gateway`, `verifier`, `contacts`; `operator` for the CLI), held to that user's permissions ([security](docs/security.md#the-event-bus))",
    { usedBy: 'all, CLI', shownDefault: '— (anonymous)' },
  )
  NATS_USER?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_USER !== undefined)
  @IsString({ message: 'NATS_PASSWORD is required with NATS_USER' })
  @MinLength(1, { message: 'NATS_PASSWORD is required with NATS_USER' })
  @Setting("that user's password, required with `NATS_USER`", { usedBy: 'all, CLI', sensitive: true })
  NATS_PASSWORD?: string;

  /** TLS to NATS: the CA that signed the server's certificate; a client certificate and key where the server asks for one. */
  @IsOptional()
  @IsString()
  @Setting("TLS to NATS: the CA that signed the server's certificate", { usedBy: 'all, CLI' })
  NATS_TLS_CA_FILE?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_TLS_KEY_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_CERT_FILE is required with NATS_TLS_KEY_FILE' })
  @Setting('TLS to NATS: a client certificate where the server asks for one (with `NATS_TLS_KEY_FILE`)', { usedBy: 'all, CLI' })
  NATS_TLS_CERT_FILE?: string;

  @ValidateIf((config: CommonConfig) => config.NATS_TLS_CERT_FILE !== undefined)
  @IsString({ message: 'NATS_TLS_KEY_FILE is required with NATS_TLS_CERT_FILE' })
  @Setting("TLS to NATS: the client certificate's key (with `NATS_TLS_CERT_FILE`)", { usedBy: 'all, CLI', sensitive: true })
  NATS_TLS_KEY_FILE?: string;

  /** Copies of every stream: 1 on one server, 3 (or 5) on a cluster of at least that many nodes. */
  @IntSetting(1, 5, 'copies of every stream: 1 on one server, 3 on a 3-node cluster (compose); see [operations](docs/operations.md#running-nats-as-a-cluster)')
  NATS_STREAM_REPLICAS: number = 1;

  /** A service's own role (docs/data-model.md#database-roles). The default names no user or password: no password is written in code. */
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must look like postgres://user:pass@host:port/db' })
  @Setting(
    "PostgreSQL, as the process's own role: `inviaro_gateway`, `inviaro_verifier`, `inviaro_contacts`; the CLI as the owner `inviaro` ([database roles](docs/data-model.md#database-roles))",
    { usedBy: 'all, CLI', shownDefault: '`postgres://127.0.0.1:5432/inviaro` (user and password from `PGUSER` / `PGPASSWORD`)', sensitive: true },
  )
  DATABASE_URL: string = 'postgres://127.0.0.1:5432/inviaro';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  @Setting('pino level: fatal, error, warn, info, debug, trace, silent')
  LOG_LEVEL: string = 'info';

  /** Where the service answers HTTP: the gateway's API, and every service's health and metrics. */
  @IsIP()
  @Setting("where HTTP listens: the gateway's API; every service's `/health/live` and `/health/ready`")
  HOST: string = '127.0.0.1';

  @IntSetting(
    1,
    65535,
    "HTTP port (the gateway's API; health and metrics unless `OPS_PORT` is set); `npm start` gives the gateway 8080 and the others free ports",
    { shownDefault: '8080 / 8081 / 8082' },
  )
  PORT: number = 8080;

  /**
   * The operator's port: health, metrics (and the gateway's API description) move here from PORT, which
   * then serves only the product's API. For a deployment whose PORT is public (compose); unset, PORT serves both.
   */
  @IsOptional()
  @ValidateBy({
    name: 'notThePort',
    validator: { validate: (port, args) => port !== (args?.object as CommonConfig).PORT, defaultMessage: () => 'OPS_PORT must differ from PORT' },
  })
  @IntSetting(
    1,
    65535,
    "the operator's port: health, `/metrics` and the gateway's `/docs` and `/openapi.json` move there from `PORT`, which then serves only the API (compose: the gateway's 9090)",
    { shownDefault: '— (on `PORT`)' },
  )
  OPS_PORT?: number;

  /**
   * Stream limits, provisioned by every service at start (set them alike everywhere). A full stream
   * refuses new events: the gateway answers 503 with Retry-After, a consumer retries its publish.
   */
  @IntSetting(
    1024 * 1024,
    Number.MAX_SAFE_INTEGER,
    'size of the INVIARO_EVENTS stream; a full stream refuses new events and the gateway answers 503 with `Retry-After`',
    { usedBy: 'all (alike)', shownDefault: '2 GiB' },
  )
  INVIARO_EVENTS_MAX_BYTES: number = 2 * 1024 ** 3;

  @IntSetting(1024 * 1024, Number.MAX_SAFE_INTEGER, 'size of the INVIARO_INBOUND stream (`message.inbound`, waiting for a verifier)', {
    usedBy: 'all (alike)',
    shownDefault: '512 MiB',
  })
  INVIARO_INBOUND_MAX_BYTES: number = 512 * 1024 ** 2;

  @IntSetting(1024 * 1024, Number.MAX_SAFE_INTEGER, 'size of the dead-letter stream', { usedBy: 'all (alike)', shownDefault: '512 MiB' })
  INVIARO_DEAD_LETTERS_MAX_BYTES: number = 512 * 1024 ** 2;

  /** How long an event may wait for a verifier in INVIARO_INBOUND before the server drops it. */
  @IntSetting(1, 24 * 30, 'how long `message.inbound` waits for a verifier', { usedBy: 'all (alike)' })
  INVIARO_INBOUND_MAX_AGE_HOURS: number = 72;

  /** The largest single event any stream stores; above the gateway's 100 kB body limit with room for the envelope. */
  @IntSetting(4096, 1024 * 1024, 'the largest event a stream stores', { usedBy: 'all (alike)' })
  STREAM_MAX_MSG_BYTES: number = 256 * 1024;

  /**
   * How long the NATS server keeps an instance's own consumer (the gateway's live updates, every
   * broadcast handler) while nobody pulls from it: an instance paused or cut off longer finds it gone
   * and makes a new one. Short in tests that pause an instance past it.
   */
  @IntSetting(
    1,
    24 * 3600,
    "seconds the NATS server keeps an instance's own consumer (live updates, broadcasts) nobody pulls from; a returning instance makes a new one",
    {
      usedBy: 'all',
    },
  )
  OWN_CONSUMER_INACTIVE_SECONDS: number = 60;

  /** Names this process's connections, so operators can tell instances apart. */
  @IsOptional()
  @IsString()
  @Setting('names the NATS connection', { shownDefault: '`<service>-<pid>`' })
  INSTANCE_NAME?: string;
}
