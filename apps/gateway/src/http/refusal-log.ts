import { ERROR_CODE_LOCAL, RequestLineFields } from '@inviaro/observability';
import { Request } from 'express';
import { Logger } from 'pino';

interface Repeats {
  client_address: string;
  error_code: string;
  /** Refusals after the first, which was logged whole. */
  count: number;
}

/**
 * What an operator searches for in a refused widget call (4xx): the widget key, the origin, the client
 * address (as TRUST_PROXY makes it: Express's `ip`) and the error code, on its request line. A flood
 * would be a line per call: the first refusal of an address and code is logged whole, the repeats in
 * the next `windowSeconds` are one `widget calls refused` line with their count, written when the
 * window ends. The key is null for a call refused before its body was read (the address's budget).
 */
export class RefusalLog {
  private readonly repeats = new Map<string, Repeats>();
  private flushing: NodeJS.Timeout | undefined;

  constructor(private readonly windowSeconds: number) {}

  readonly fields: RequestLineFields = (request, response, logger) => {
    if (!request.path.startsWith('/v1/widget/') || response.statusCode < 400 || response.statusCode >= 500) return {};
    const clientAddress = request.ip ?? 'unknown';
    const errorCode = String(response.locals[ERROR_CODE_LOCAL] ?? response.statusCode);
    const key = `${clientAddress} ${errorCode}`;
    const seen = this.repeats.get(key);
    if (seen) {
      seen.count += 1;
      return null;
    }
    this.repeats.set(key, { client_address: clientAddress, error_code: errorCode, count: 0 });
    this.flushing ??= setTimeout(() => this.flush(logger), this.windowSeconds * 1000).unref();
    return { widget_key: widgetKeyOf(request), origin: request.headers.origin?.slice(0, 255) ?? null, client_address: clientAddress };
  };

  private flush(logger: Logger): void {
    this.flushing = undefined;
    for (const repeats of this.repeats.values()) {
      if (repeats.count > 0) logger.warn({ ...repeats, seconds: this.windowSeconds }, 'widget calls refused');
    }
    this.repeats.clear();
  }
}

function widgetKeyOf(request: Request): string | null {
  const { key } = (request.body ?? {}) as { key?: unknown };
  return typeof key === 'string' ? key.slice(0, 255) : null;
}
