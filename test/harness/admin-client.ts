import { ApiResponse } from './widget-client';

/** Calls the gateway's admin API with a workspace's admin token. */
export class AdminClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly adminToken: string,
  ) {}

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: Record<string, unknown>): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.gatewayUrl}/v1/admin/${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, headers: response.headers };
  }

  async createWidget(name: string, allowedOrigins: string[]): Promise<{ id: string; key: string }> {
    const response = await this.call<{ id: string; key: string }>('POST', 'widgets', { name, allowed_origins: allowedOrigins });
    if (response.status !== 201) throw new Error(`widget not created: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  revealSecret(widgetId: string) {
    return this.call<{ widget_secret: string }>('POST', `widgets/${widgetId}/secret/reveal`);
  }

  rotateSecret(widgetId: string) {
    return this.call<{ widget_secret: string }>('POST', `widgets/${widgetId}/secret/rotate`);
  }

  stageSecret(widgetId: string) {
    return this.call<{ widget_secret: string; secret_version: number }>('POST', `widgets/${widgetId}/secret/stage`);
  }

  retireSecret(widgetId: string) {
    return this.call<{ secret_version: number; previous_secret?: { secret_version: number; claims_last_hour: number } }>(
      'POST',
      `widgets/${widgetId}/secret/retire`,
    );
  }

  secretStatus(widgetId: string) {
    return this.call<{ secret_version: number; previous_secret?: { secret_version: number; claims_last_hour: number } }>('GET', `widgets/${widgetId}/secret`);
  }

  setIdentityPolicy(widgetId: string, identityPolicy: string) {
    return this.call<Record<string, unknown>>('PATCH', `widgets/${widgetId}`, { identity_policy: identityPolicy });
  }

  failures(query = '') {
    return this.call<{ failures: Array<Record<string, unknown>>; next_cursor: string | null }>('GET', `verification-failures${query}`);
  }
}
