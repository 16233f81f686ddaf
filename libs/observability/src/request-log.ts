import { Request, Response } from 'express';
import { Logger } from 'pino';
import { routePattern } from './metrics';

/** Where a handler leaves the correlation id of the event a request published (`response.locals`), for the request's log line. */
export const CORRELATION_LOCAL = 'correlation_id';

/** Where the error renderer leaves the error code of a refused request (`response.locals`), for its log line. */
export const ERROR_CODE_LOCAL = 'error_code';

/** A service's own fields for an answered request's line, or null where it accounts for the request in a line of its own (a summary). */
export type RequestLineFields = (request: Request, response: Response, logger: Logger) => Record<string, unknown> | null;

/**
 * One JSON line per API request once it is answered: method, route pattern, status, milliseconds,
 * the error code of a refusal, and the correlation id of the event it published, so a widget's POST
 * can be followed through every service; `serviceFields` adds what the service knows. Probes and
 * scrapes are not logged.
 */
export function requestLog(logger: Logger, serviceFields?: RequestLineFields) {
  return (request: Request, response: Response, next: () => void): void => {
    if (request.path.startsWith('/health/') || request.path === '/metrics') return next();
    const start = performance.now();
    response.once('finish', () => {
      const fields = serviceFields ? serviceFields(request, response, logger) : {};
      if (fields === null) return;
      logger.info(
        {
          method: request.method,
          route: routePattern(request),
          status: response.statusCode,
          ms: Math.round((performance.now() - start) * 10) / 10,
          correlation_id: response.locals[CORRELATION_LOCAL],
          error_code: response.locals[ERROR_CODE_LOCAL],
          ...fields,
        },
        'request',
      );
    });
    next();
  };
}
