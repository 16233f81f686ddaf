import { applyDecorators, HttpCode, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse } from '@nestjs/swagger';
import { ErrorAnswer } from '@inviaro/contracts';

/** What each error status means on this API (docs/api.md §2 and §5). */
const ERRORS = {
  400: 'bad shape: the message names the field (`field: what is wrong`)',
  401: 'a missing or wrong token (admin token, or visitor token that is unknown or logged out)',
  403: 'origin_not_allowed (widget API): the Origin header is not among the widget’s allowed origins; forbidden (admin API): the token’s role may not call this route',
  404: 'no such widget, contact or conversation (in your workspace)',
  409: 'conflict',
  410: 'secret_already_revealed: rotate the secret to get a new one',
  413: 'payload_too_large: the body is over the limit',
  429: 'rate_limited: wait the Retry-After seconds',
  503: 'a dependency is away for now; nothing was done: try again after Retry-After seconds',
} as const;

export type ErrorStatus = keyof typeof ERRORS;

const RETRY_AFTER = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } } };

export interface RouteAnswers {
  summary: string;
  status: number;
  /** The success's class; none for an empty body. */
  answer?: Type;
  /** Another body than JSON (the script, a stream of server-sent events). */
  produces?: { type: string; description: string };
  /** Besides 503, which any route answers while PostgreSQL or a service is away. */
  errors: ErrorStatus[];
}

/** A route's OpenAPI answers: its success and every error status it can give, each in the `{"error": {"code", "message"}}` shape. */
export function Answers({ summary, status, answer, produces, errors }: RouteAnswers): MethodDecorator {
  const success = produces
    ? ApiResponse({ status, description: produces.description, content: { [produces.type]: { schema: { type: 'string' } } } })
    : ApiResponse({ status, description: answer ? 'success' : 'success, no body', ...(answer ? { type: answer } : {}) });
  // The documented success status is the one answered: written once.
  return applyDecorators(
    HttpCode(status),
    ApiOperation({ summary }),
    success,
    ...[...errors, 503 as const].map((error) =>
      ApiResponse({ status: error, description: ERRORS[error], type: ErrorAnswer, ...(error === 429 || error === 503 ? { headers: RETRY_AFTER } : {}) }),
    ),
  );
}

/**
 * The admin API: `Authorization: Bearer <admin token>`, scoped to the token's workspace. Every route may
 * answer 429 once the caller's address has spent its budget of failed authentications.
 */
export const AdminApi = () =>
  applyDecorators(
    ApiBearerAuth('admin-token'),
    ApiResponse({
      status: 429,
      description: 'rate_limited: too many failed admin authentications from this address; wait the Retry-After seconds',
      type: ErrorAnswer,
      headers: RETRY_AFTER,
    }),
  );
