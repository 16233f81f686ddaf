import { IncomingMessage, request } from 'node:http';
import { TestWidget } from './fixtures';
import { waitFor } from './wait';

export interface StreamEvent {
  event: string;
  data: Record<string, unknown>;
}

/** The gateway's answer to `POST /v1/widget/stream`: a stream when it is 200, else the refusal. */
export interface StreamAnswer {
  status: number;
  retryAfter?: string;
  /** A refusal's body (the error shape). */
  error?: unknown;
  stream?: WidgetStream;
}

/** A widget's live stream (`POST /v1/widget/stream`), read as the script reads it: server-sent events over a POST. */
export class WidgetStream {
  readonly events: StreamEvent[] = [];
  private closed = false;
  readonly ended: Promise<void>;

  private constructor(
    response: IncomingMessage,
    private readonly abort: () => void,
  ) {
    this.ended = this.read(response);
  }

  /** Opens a stream and waits for its `ready`; throws when it is refused. */
  static async open(gatewayUrl: string, widget: TestWidget, body: Record<string, unknown>): Promise<WidgetStream> {
    const { status, error, stream } = await WidgetStream.request(gatewayUrl, widget, body);
    if (!stream) throw new Error(`stream refused: ${status} ${JSON.stringify(error)}`);
    await waitFor('the stream to be ready', async () => (stream.events.some((e) => e.event === 'ready') ? true : undefined), 10_000, 20);
    return stream;
  }

  /** Asks for a stream, on a connection of its own from `localAddress` (a loopback address: another client), and returns what the gateway answered. */
  static request(gatewayUrl: string, widget: TestWidget, body: Record<string, unknown>, localAddress?: string): Promise<StreamAnswer> {
    const url = new URL(gatewayUrl);
    const payload = JSON.stringify({ key: widget.key, ...body });
    return new Promise((resolve, reject) => {
      const call = request(
        {
          agent: false,
          localAddress,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/v1/widget/stream',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), origin: widget.origin },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status === 200) return resolve({ status, stream: new WidgetStream(response, () => call.destroy()) });
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status, retryAfter: response.headers['retry-after'], error: text ? JSON.parse(text) : undefined }));
        },
      );
      call.on('error', reject);
      call.end(payload);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  messages(): Array<Record<string, unknown>> {
    return this.events.filter((e) => e.event === 'message').map((e) => e.data);
  }

  close(): void {
    this.abort();
  }

  private async read(response: AsyncIterable<Buffer>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response) {
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
