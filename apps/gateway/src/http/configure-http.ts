import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiExceptionFilter } from './api-exception.filter';

/** Names the first wrong field of a body, as `field: what is wrong`. */
function describe(errors: ValidationError[], prefix = ''): string {
  const first = errors[0];
  const path = `${prefix}${first.property}`;
  if (first.children?.length) return describe(first.children, `${path}.`);
  return `${path}: ${Object.values(first.constraints ?? { invalid: 'is invalid' })[0]}`;
}

export function configureHttp(app: INestApplication): void {
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(describe(errors)),
    }),
  );
}
