import { HOW_TO_SET } from '../environment';
import { printable } from '../events/text';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

export interface AdminOptions {
  /** Prefer INVIARO_ADMIN_TOKEN: a command-line argument shows in the process list. */
  token?: string;
  gateway?: string;
}

/** The gateway's admin API with one workspace's admin token; failures become messages that say what to do. */
export class AdminApi {
  private readonly token: string;
  private readonly gateway: string;

  constructor(options: AdminOptions, env: NodeJS.ProcessEnv = process.env) {
    const token = options.token || env.INVIARO_ADMIN_TOKEN;
    if (!token)
      throw new Error(`no admin token: pass --token or set INVIARO_ADMIN_TOKEN (${HOW_TO_SET}); \`inviaro workspace create\` makes a workspace and its token`);
    this.token = token;
    this.gateway = (options.gateway || env.INVIARO_GATEWAY_URL || DEFAULT_GATEWAY_URL).replace(/\/+$/, '');
  }

  /** `timeoutMs`: longer for a call the gateway itself may take long to answer (an erasure reads the event streams through). */
  async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: object, timeoutMs = 30_000): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.gateway}/v1/admin/${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // fetch() says only "fetch failed"; the cause says why (ECONNREFUSED, a bad port, ...).
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
      throw new Error(`cannot reach the gateway at ${this.gateway} (${why}): is it running? Pass --gateway or set INVIARO_GATEWAY_URL: ${HOW_TO_SET}`);
    }
    const text = await response.text();
    const answer = parse(text);
    if (response.ok) return answer as T;
    const error = (answer as { error?: { code?: string; message?: string } } | undefined)?.error;
    const what = error ? `${printable(String(error.code))}: ${printable(String(error.message), 500)}` : `HTTP ${response.status}`;
    if (response.status === 401)
      throw new Error(`the gateway refused the admin token (${what}): pass a token of this workspace with --token or INVIARO_ADMIN_TOKEN`);
    const retry = response.headers.get('retry-after');
    throw new Error(`the gateway answered ${response.status} (${what})${retry ? `; try again in ${retry} s` : ''}`);
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
