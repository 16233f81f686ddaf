import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { turnBufferedStdout } from './turn-buffered';

/**
 * Field names whose values are credentials. Redacted wherever they appear in a log record, at any
 * depth, so that a careless `logger.warn({ ...payload })` cannot leak them.
 */
export const SECRET_FIELDS = [
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

const CENSOR = '[redacted]';
const SECRET_KEYS = new Set(SECRET_FIELDS);
/** A secret field as a JSON key, also escaped inside a string (an object formatted into the message). */
const NAMES_A_SECRET = new RegExp(`\\\\?"(?:${SECRET_FIELDS.join('|')})\\\\?":`);

/**
 * The log line with the value of every secret field censored, at any depth; a string that holds
 * one as JSON is censored whole. Most lines name none: for them one regular expression test on the
 * finished line is the whole cost (pino's path redaction, on every field of every line, took about
 * 8% of the gateway's CPU under load).
 */
export function redactLine(line: string): string {
  if (!NAMES_A_SECRET.test(line)) return line;
  const censored = JSON.stringify(JSON.parse(line), (key, value: unknown) =>
    SECRET_KEYS.has(key) || (typeof value === 'string' && NAMES_A_SECRET.test(value)) ? CENSOR : value,
  );
  return `${censored}\n`;
}

/** Injection token of the service's structured (pino) logger: `@Inject(SERVICE_LOGGER) logger: Logger`. */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', destination: pino.DestinationStream = turnBufferedStdout()): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: redactLine },
    },
    // Not one blocking write per line (a line per request and per event): a turn's lines go out
    // together, without blocking; what is left is written when the process exits.
    destination,
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
