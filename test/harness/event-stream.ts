import { TestWidget } from './fixtures';
import { waitFor } from './wait';

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A widget's live stream (`POST /v1/widget/stream`), read as the script reads it: fetch, then server-sent events. */
export class WidgetStream {
  readonly events: StreamEvent[] = [];
  private closed = false;
  private readonly abort = new AbortController();
  readonly ended: Promise<void>;

  private constructor(response: Response) {
    this.ended = this.read(response);
  }

  static async open(gatewayUrl: string, widget: TestWidget, body: Record<string, unknown>): Promise<WidgetStream> {
    const abort = new AbortController();
    const response = await fetch(`${gatewayUrl}/v1/widget/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: widget.origin },
      body: JSON.stringify({ key: widget.key, ...body }),
      signal: abort.signal,
    });
    if (response.status !== 200) throw new Error(`stream refused: ${response.status} ${await response.text()}`);
    const stream = new WidgetStream(response);
    Object.assign(stream, { abort });
    await waitFor('the stream to be ready', async () => (stream.events.some((e) => e.event === 'ready') ? true : undefined), 10_000, 20);
    return stream;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  messages(): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data);
  }

  close(): void {
    this.abort.abort();
  }

  private async read(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data) as StreamEvent['data'] });
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.closed = true;
    }
  }
}
