import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/**
 * Field names whose values are credentials. Redacted wherever they appear in a log record,
 * so that a careless `logger.warn({ ...payload })` cannot leak them.
 */
const SECRET_FIELDS = [
  'user_hash',
  'userHash',
  'user_jwt',
  'userJwt',
  'widget_secret',
  'widgetSecret',
  'visitor_token',
  'visitorToken',
  'admin_token',
  'adminToken',
  'authorization',
  'password',
];

const redactPaths = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/** Injection token of the service's structured (pino) logger: `@Inject(SERVICE_LOGGER) logger: Logger`. */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths, censor: '[redacted]' },
    },
    // Not one blocking write per line (a line per request and per event): lines that come while a
    // write is under way go out together with the next. Pino flushes what is left when the process exits.
    pino.destination({ dest: 1, sync: false }),
  );
}

/** Lets Nest's own messages go through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
