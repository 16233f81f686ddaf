import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { NextFunction, Request, Response } from 'express';
import { AcceptedTextPipe } from './accepted-text';
import { ApiError } from './api-error';
import { ApiExceptionFilter } from './api-exception.filter';

/** The largest JSON body any call takes (413 past it): 10,000 characters of text fit with room to spare. */
export const JSON_BODY_LIMIT = '100kb';

/** Names the first wrong field of a body, as `field: what is wrong`. */
function describe(errors: ValidationError[], prefix = ''): string {
  const first = errors[0];
  const path = `${prefix}${first.property}`;
  if (first.children?.length) return describe(first.children, `${path}.`);
  return `${path}: ${Object.values(first.constraints ?? { invalid: 'is invalid' })[0]}`;
}

/**
 * Widget calls come from customers' pages on other origins. The preflight carries no widget key,
 * so it is allowed for any origin; each real call is then checked against its widget's allowed
 * origins (403 origin_not_allowed). The admin API stays same-origin.
 */
function widgetCors(request: Request, response: Response, next: () => void): void {
  const origin = request.headers.origin;
  if (origin && request.path.startsWith('/v1/widget/')) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'POST');
      response.setHeader('access-control-allow-headers', 'content-type');
      response.setHeader('access-control-max-age', '600');
      response.status(204).end();
      return;
    }
  }
  next();
}

/**
 * The body parser's refusals (http-errors with `expose`): a body over the limit, one that is not
 * JSON, or one it cannot decode. Answered in our words, never the parser's, which can quote the body.
 */
function unreadableBody(error: { expose?: boolean; status?: number; type?: string }, _request: Request, _response: Response, next: NextFunction): void {
  const { expose, status, type } = error;
  if (expose !== true || status === undefined || status < 400 || status > 499) return next(error);
  if (type === 'entity.too.large') return next(new ApiError(413, 'payload_too_large', `body: is larger than ${JSON_BODY_LIMIT}`));
  if (type === 'entity.parse.failed') return next(new ApiError(400, 'invalid_request', 'body: is not valid JSON'));
  next(new ApiError(status, 'invalid_request', 'body: could not be read'));
}

export function configureHttp(app: INestApplication): void {
  app.use(widgetCors);
  (app as NestExpressApplication).useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.use(unreadableBody);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(describe(errors)),
    }),
    // After validation: it sees only the fields a DTO keeps, already of their types.
    new AcceptedTextPipe(),
  );
}
