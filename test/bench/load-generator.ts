/**
 * The benchmarks' load generator, the same for the system and the bare pipeline: node:http clients
 * on keep-alive connections (at most CONCURRENCY sockets), posting widget messages as the widget
 * script does.
 */
import { userHash } from '@inviaro/crypto';
import { Agent, request } from 'node:http';

export class Poster {
  private readonly agent: Agent;
  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string>,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const sent = request(
        `${this.baseUrl}${path}`,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...this.headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            resolve({ status: response.statusCode!, body: (text ? JSON.parse(text) : {}) as T });
          });
        },
      );
      sent.on('error', reject);
      sent.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Who sends the next message: each visitor in turn (a few visitors who each send often: a hot-visitor
 * load, their events serialised on their rows), or any visitor at random (many who each send rarely).
 */
export type VisitorOrder = 'in-turn' | 'random';

/** Messages from a widget's visitors: half of them logged in and signing every message, the rest anonymous. */
export class Traffic {
  private n = 0;
  readonly sentAt = new Map<string, number>();
  constructor(
    private readonly poster: Poster,
    private readonly widget: { key: string; secret: string },
    private readonly tokens: string[],
    private readonly order: VisitorOrder = 'in-turn',
  ) {}

  /** One message; resolves with its id once accepted (202), or undefined. */
  async send(): Promise<string | undefined> {
    const i = this.n++;
    const visitor = this.order === 'random' ? Math.floor(Math.random() * this.tokens.length) : i % this.tokens.length;
    const userId = `bench-user-${visitor}`;
    const claim = visitor % 2 === 0 ? { user_id: userId, user_hash: userHash(userId, this.widget.secret) } : {};
    const started = performance.now();
    const body = { key: this.widget.key, visitor_token: this.tokens[visitor], client_message_id: `b-${Date.now()}-${i}`, text: `benchmark ${i}`, ...claim };
    const response = await this.poster.post<{ message_id: string }>('/v1/widget/messages', body).catch(() => undefined);
    if (response?.status !== 202) return undefined;
    this.sentAt.set(response.body.message_id, started);
    return response.body.message_id;
  }
}
