import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { Request, Response } from 'express';
import { serveOpenApi } from './openapi/openapi';
import { AcceptedTextPipe } from './http/accepted-text';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { parseBodies } from './http/body-parsing';
import { RateBudgets, spendAddressBudget } from './http/rate-limits';

/** Names the first wrong field of a body, as `field: what is wrong`. */
function describe(errors: ValidationError[], prefix = ''): string {
  const [first] = errors;
  if (!first) return `${prefix.replace(/\.$/, '') || 'body'}: is invalid`;
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

export function configureHttp(app: INestApplication): void {
  app.use(widgetCors);
  // Before the body parsers: a body they refuse has spent its address's budget too.
  app.use('/v1/widget', spendAddressBudget(app.get(RateBudgets)));
  parseBodies(app);
  serveOpenApi(app);
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
