import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ERROR_CODE_LOCAL } from '@inviaro/observability';
import { Response } from 'express';
import { ApiError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './api-error';

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Errors that mean a dependency (PostgreSQL) is away for now, not that the request is wrong. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

function dependencyAway(exception: unknown): boolean {
  const { code, message } = (exception ?? {}) as { code?: string; message?: string };
  return (code !== undefined && UNAVAILABLE_CODES.has(code)) || /Connection terminated|connect ECONNREFUSED/.test(message ?? '');
}

/** Renders every error in the contract's shape; an unexpected one is logged and answered 500 without detail. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof ApiError) {
      if (exception.retryAfter !== undefined) response.setHeader('Retry-After', String(exception.retryAfter));
      response.locals[ERROR_CODE_LOCAL] = exception.code;
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
      response.locals[ERROR_CODE_LOCAL] = code;
      response.status(status).json({ error: { code, message: exception.message } });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.message : String(exception));
    if (dependencyAway(exception)) {
      response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      response.status(HttpStatus.SERVICE_UNAVAILABLE).json({ error: { code: 'service_unavailable', message: 'a service is unavailable; try again' } });
      return;
    }
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ error: { code: 'internal_error', message: 'internal error' } });
  }
}
