import { Request, Response } from 'express';
import { Logger } from 'pino';
import { routePattern } from './metrics';

/** Where a handler leaves the correlation id of the event a request published (`response.locals`), for the request's log line. */
export const CORRELATION_LOCAL = 'correlation_id';

/**
 * One JSON line per API request once it is answered: method, route pattern, status, milliseconds,
 * and the correlation id of the event it published, so a widget's POST can be followed through
 * every service. Probes and scrapes are not logged.
 */
export function requestLog(logger: Logger) {
  return (request: Request, response: Response, next: () => void): void => {
    if (request.path.startsWith('/health/') || request.path === '/metrics') return next();
    const start = performance.now();
    response.once('finish', () =>
      logger.info(
        {
          method: request.method,
          route: routePattern(request),
          status: response.statusCode,
          ms: Math.round((performance.now() - start) * 10) / 10,
          correlation_id: response.locals[CORRELATION_LOCAL],
        },
        'request',
      ),
    );
    next();
  };
}
