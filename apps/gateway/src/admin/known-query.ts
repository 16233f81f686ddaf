import { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage } from 'class-validator';
import { ApiError } from '../http/api-error';

const declared = new WeakMap<object, ReadonlySet<string>>();

/** The query parameters a route takes: the fields its `@Query()` class validates, or the names of its `@Query('name')` arguments; none without either. */
function parametersOf(controller: Type, handler: { name: string }): ReadonlySet<string> {
  const known = declared.get(handler);
  if (known) return known;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {}) as Record<string, { index: number; data?: unknown }>;
  const types = (Reflect.getMetadata('design:paramtypes', controller.prototype as object, handler.name) ?? []) as Array<Type | undefined>;
  const names = new Set<string>();
  for (const [key, { index, data }] of Object.entries(args)) {
    if (!key.startsWith(`${RouteParamtypes.QUERY}:`)) continue;
    if (typeof data === 'string') names.add(data);
    const query = types[index];
    if (data === undefined && query) for (const rule of getMetadataStorage().getTargetValidationMetadatas(query, '', true, false)) names.add(rule.propertyName);
  }
  declared.set(handler, names);
  return names;
}

/**
 * An admin call's query holds only the parameters its route takes: an unknown one (a misspelt filter,
 * a filter this route does not have) is a 400 naming it, never silently ignored, so a support agent
 * never reads every user's failures as one user's.
 */
export function refuseUnknownQueryParameters(query: Record<string, unknown>, controller: Type, handler: { name: string }): void {
  const known = parametersOf(controller, handler);
  const unknown = Object.keys(query).find((name) => !known.has(name));
  if (unknown !== undefined) {
    const takes = known.size ? `it takes ${[...known].sort().join(', ')}` : 'it takes none';
    throw new ApiError(400, 'invalid_request', `${unknown.slice(0, 60)}: is not a parameter of this call (${takes})`);
  }
}
