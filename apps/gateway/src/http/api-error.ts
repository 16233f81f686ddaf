import { HttpException } from '@nestjs/common';

/** The one error shape of every HTTP answer: `{"error": {"code", "message"}}` (docs/api.md §2). */
export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    /** Seconds, for 429 and 503: when to try again. */
    readonly retryAfter?: number,
  ) {
    super({ error: { code, message } }, status);
  }
}

/** Seconds every 503 asks the caller to wait: a dependency that is away (a restart, a failover) is mostly back by then. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** A 503: nothing was done, try again after UNAVAILABLE_RETRY_AFTER_SECONDS. */
export function unavailable(code: string, message: string): ApiError {
  return new ApiError(503, code, message, UNAVAILABLE_RETRY_AFTER_SECONDS);
}
