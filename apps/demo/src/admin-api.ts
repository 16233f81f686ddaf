import type { ContactDetail, Contacts, ReplyStored, VerificationFailures, VerificationHealth, WidgetList } from '@inviaro/contracts';

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

  listContacts(query: { verified?: string; cursor?: string }) {
    const params = new URLSearchParams();
    if (query.verified === 'true' || query.verified === 'false') params.set('verified', query.verified);
    if (query.cursor) params.set('cursor', query.cursor);
    const search = params.toString();
    const suffix = search ? `?${search}` : '';
    return this.call<Contacts>('GET', `contacts${suffix}`);
  }

  contact(id: string) {
    return this.call<ContactDetail>('GET', `contacts/${encodeURIComponent(id)}`);
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

  failures() {
    return this.call<VerificationFailures>('GET', 'verification-failures');
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
