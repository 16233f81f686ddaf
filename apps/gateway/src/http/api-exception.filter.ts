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

/** The status and error code an exception is answered with (the audit log records them as the outcome). */
export function answerOf(exception: unknown): { status: number; code: string } {
  if (exception instanceof ApiError) return { status: exception.getStatus(), code: exception.code };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request') };
  }
  return dependencyAway(exception) ? { status: HttpStatus.SERVICE_UNAVAILABLE, code: 'service_unavailable' } : { status: 500, code: 'internal_error' };
}

/** Renders every error in the contract's shape; an unexpected one is logged and answered 500 without detail. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, code } = answerOf(exception);
    response.locals[ERROR_CODE_LOCAL] = code;
    if (exception instanceof ApiError) {
      if (exception.retryAfter !== undefined) response.setHeader('Retry-After', String(exception.retryAfter));
      response.status(status).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      response.status(status).json({ error: { code, message: exception.message } });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.message : String(exception));
    if (status === 503) {
      response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
      response.status(status).json({ error: { code, message: 'a service is unavailable; try again' } });
      return;
    }
    response.status(status).json({ error: { code, message: 'internal error' } });
  }
}
