/** How a call to the gateway failed, and so what the widget does next. */
export type Failure =
  /** Network error, 408, 429 or 5xx: keep the work and try again (after `after` seconds when the gateway said so). */
  | { kind: 'retry'; after?: number }
  /** 401: the visitor token is unknown or logged out; start a new visitor. */
  | { kind: 'token' }
  /** 401 identity_required: the widget needs a signed-in user; show the sign-in prompt until the page identifies one. */
  | { kind: 'identity' }
  /** 403 / 404: this page may not use this widget (origin not allowed, unknown key). Nothing to retry. */
  | { kind: 'refused'; code: string }
  /** Any other 4xx: this request will never succeed as it is. */
  | { kind: 'bad'; code: string };

export class ApiFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

export function failureOf(error: unknown): Failure {
  return error instanceof ApiFailure ? error.failure : { kind: 'retry' };
}

const MAX_BACKOFF_MS = 30_000;

/** Before retry `attempt` (from 0): 2^attempt seconds (at most 30), less up to half at random: spread out, so that a gateway coming back is not stampeded. */
export function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Outlives the page (logout right before a navigation). */
  keepalive?: boolean;
}

async function errorCode(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { code?: unknown } } | null;
    const code = body && body.error && body.error.code;
    return typeof code === 'string' && code ? code : String(response.status);
  } catch {
    return String(response.status);
  }
}

/** POSTs JSON to the gateway's widget API; resolves the Response of a 2xx, or throws an ApiFailure. */
export async function post(base: string, path: string, body: object, options: CallOptions = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${base}/v1/widget/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal: options.signal,
      keepalive: options.keepalive,
    });
  } catch (error) {
    if (options.signal && options.signal.aborted) throw error;
    throw new ApiFailure({ kind: 'retry' });
  }
  const status = response.status;
  if (status >= 200 && status < 300) return response;
  if (status === 401) throw new ApiFailure((await errorCode(response)) === 'identity_required' ? { kind: 'identity' } : { kind: 'token' });
  if (status === 403 || status === 404) throw new ApiFailure({ kind: 'refused', code: await errorCode(response) });
  if (status === 408 || status === 429 || status >= 500) {
    const after = Number(response.headers.get('retry-after'));
    throw new ApiFailure({ kind: 'retry', after: after > 0 ? after : undefined });
  }
  throw new ApiFailure({ kind: 'bad', code: await errorCode(response) });
}

export async function postJson<T>(base: string, path: string, body: object, options?: CallOptions): Promise<T> {
  const response = await post(base, path, body, options);
  return response.status === 204 ? ({} as T) : ((await response.json()) as T);
}

/** One server-sent event: its `event` field (default `message`) and its data, parsed as JSON. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/**
 * Server-sent events out of text as it arrives in chunks: an event is complete at a blank line;
 * comments, events without data and events whose data is not JSON are skipped (one malformed
 * event does not end the stream).
 */
export class EventParser {
  private buffer = '';

  push(text: string): ServerEvent[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: ServerEvent[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (!data.length) continue;
      try {
        events.push({ event, data: JSON.parse(data.join('\n')) as unknown });
      } catch {
        // not JSON: skipped
      }
    }
    return events;
  }
}

/**
 * `POST /v1/widget/stream`: server-sent events read with fetch (the token stays in the body, out of
 * URLs and logs). Resolves when the server ends the stream; throws an ApiFailure if it is refused
 * or breaks, or the abort error when aborted.
 */
export async function readStream(base: string, body: object, onEvent: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
  const response = await post(base, 'stream', body, { signal });
  if (!response.body) throw new ApiFailure({ kind: 'retry' });
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new EventParser();
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ApiFailure({ kind: 'retry' });
    }
    if (chunk.done) return;
    for (const { event, data } of parser.push(decoder.decode(chunk.value, { stream: true }))) {
      try {
        onEvent(event, data);
      } catch {
        // one event its handler could not take does not end the stream
      }
    }
  }
}
