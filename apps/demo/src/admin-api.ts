/** The Inviaro admin API, called from this server with the workspace's admin token (never from the browser). */

export interface ContactSummary {
  id: string;
  user_id: string | null;
  is_verified: boolean;
  email: string | null;
  /** The email came signed in a user_jwt; false: self-reported. */
  email_verified: boolean;
  name: string | null;
  name_verified: boolean;
  created_at: string;
  last_seen_at: string;
}

export interface InboxMessage {
  message_id: string;
  author: 'visitor' | 'operator';
  text: string;
  created_at: string;
}

export interface ContactDetail extends ContactSummary {
  conversations: Array<{ id: string; widget_id: string; created_at: string; messages: InboxMessage[] }>;
}

export interface VerificationFailure {
  widget_id: string;
  claimed_user_id: string | null;
  reason: string;
  at: string;
  /** Repeats of the same claim and reason, from first_at to last_at (= at). */
  count: number;
  first_at: string;
  last_at: string;
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;

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
    return this.call<{ contacts: ContactSummary[]; next_cursor: string | null }>('GET', `contacts${suffix}`);
  }

  contact(id: string) {
    return this.call<ContactDetail>('GET', `contacts/${encodeURIComponent(id)}`);
  }

  reply(conversationId: string, text: string) {
    return this.call<{ message_id: string }>('POST', `conversations/${encodeURIComponent(conversationId)}/replies`, { text });
  }

  failures() {
    return this.call<{ failures: VerificationFailure[]; next_cursor: string | null }>('GET', 'verification-failures');
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
