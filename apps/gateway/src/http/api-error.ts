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
