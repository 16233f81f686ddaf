import { CallHandler, ExecutionContext, NestInterceptor, Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { Observable } from 'rxjs';
import { ApiError } from './api-error';

/**
 * A body field the route's DTO does not declare is a 400 naming it, where the global pipe would drop it
 * silently: for a PATCH, a dropped field is a change the caller believes made. The DTO is the list, so
 * a field added to it is accepted with no change here.
 */
export class OnlyKnownFields implements NestInterceptor {
  private readonly known: ReadonlySet<string>;

  constructor(dto: Type) {
    this.known = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((rule) => rule.propertyName),
    );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body: unknown = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    const unknown = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((field) => !this.known.has(field)) : [];
    if (unknown.length) {
      throw new ApiError(400, 'invalid_request', `${unknown.join(', ')}: not a field of this route (it takes ${[...this.known].join(', ')})`);
    }
    return next.handle();
  }
}
