import { TestWidget } from './fixtures';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the gateway's widget API as the widget script does, from the widget's page origin. */
export class WidgetClient {
  constructor(
    private readonly gatewayUrl: string,
    private readonly widget: TestWidget,
    private readonly origin = widget.origin,
  ) {}

  async call<T = Record<string, unknown>>(path: string, body: Record<string, unknown>): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.gatewayUrl}/v1/widget/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: this.origin },
      body: JSON.stringify({ key: this.widget.key, ...body }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T, headers: response.headers };
  }

  async newVisitor(): Promise<string> {
    const response = await this.call<{ visitor_token: string }>('visitors', {});
    if (response.status !== 201) throw new Error(`visitor not created: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.visitor_token;
  }

  postMessage(visitorToken: string, fields: Record<string, unknown>) {
    return this.call<{ message_id: string }>('messages', { visitor_token: visitorToken, ...fields });
  }
}
