import type { Contacts, ContactWithFailedClaims, ReplyStored, VerificationFailures, VerificationHealth, WidgetList } from '@inviaro/contracts';

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

/** The Inviaro admin API, called from this server with the workspace's admin token (never from the browser). */
export class AdminApi {
  constructor(
    private readonly gatewayUrl: string,
    private readonly adminToken: string,
  ) {}

  listContacts(query: { verified?: string; cursor?: string; user_id?: string; email?: string }) {
    const params = new URLSearchParams();
    if (query.verified === 'true' || query.verified === 'false') params.set('verified', query.verified);
    for (const name of ['cursor', 'user_id', 'email'] as const) if (query[name]) params.set(name, query[name]);
    const search = params.toString();
    const suffix = search ? `?${search}` : '';
    return this.call<Contacts>('GET', `contacts${suffix}`);
  }

  contact(id: string) {
    return this.call<ContactWithFailedClaims>('GET', `contacts/${encodeURIComponent(id)}`);
  }

  reply(conversationId: string, text: string) {
    return this.call<ReplyStored>('POST', `conversations/${encodeURIComponent(conversationId)}/replies`, { text });
  }

  widgets() {
    return this.call<WidgetList>('GET', 'widgets');
  }

  verificationHealth(widgetId: string) {
    return this.call<VerificationHealth>('GET', `widgets/${encodeURIComponent(widgetId)}/verification?since=24h`);
  }

  /** `filters`: the API's query parameters (user_id, reason, cursor, limit); empty ones are left out. */
  failures(filters: Record<string, string | undefined> = {}) {
    const params = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
    const search = params.toString();
    return this.call<VerificationFailures>('GET', `verification-failures${search ? `?${search}` : ''}`);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.gatewayUrl}/v1/admin/${path}`, {
        method,
        headers: { authorization: `Bearer ${this.adminToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new AdminApiError(502, `the Inviaro API did not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } }).error;
      throw new AdminApiError(response.status, `the Inviaro API answered ${response.status}${error?.code ? ` ${error.code}: ${error.message ?? ''}` : ''}`);
    }
    return parsed as T;
  }
}
