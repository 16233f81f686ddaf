import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { Response } from 'express';
import { ApiError } from './api-error';

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

/** Renders every error in the contract's shape; an unexpected one is logged and answered 500 without detail. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof ApiError) {
      if (exception.retryAfter !== undefined) response.setHeader('Retry-After', String(exception.retryAfter));
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
      response.status(status).json({ error: { code, message: exception.message } });
      return;
    }
    this.logger.error(exception instanceof Error ? exception.message : String(exception));
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ error: { code: 'internal_error', message: 'internal error' } });
  }
}
