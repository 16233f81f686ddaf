import { userHash } from '@inviaro/crypto';
import { nth } from './items';
import { TestWidget } from './fixtures';
import { WidgetClient } from './widget-client';

export type ClaimKind = 'verified' | 'failed' | 'none';

export interface SentMessage {
  clientMessageId: string;
  visitor: number;
  claim: ClaimKind;
  messageId?: string;
}

/** One answer the gateway gave the load (or none: the call failed on the connection). */
export interface LoadAnswer {
  clientMessageId: string;
  status: number | 'no answer';
  retryAfter: string | null;
  errorCode?: string;
}

/** The error codes of a 503: the stream could not take the event, or a dependency of the gateway is away. */
const DEPENDENCY_AWAY = ['stream_unavailable', 'service_unavailable'];

/** The user id a visitor of the load claims (with a valid hash or a wrong one). */
export const loadUserId = (visitor: number) => `user-${visitor}`;

/**
 * Widgets' traffic as the widget script sends it: several visitors posting at a steady rate, each
 * cycling through the claim kinds (a valid claim, a wrong one, none), so that every visitor's
 * anonymous run is folded into its user again and again while a fault runs. A message that is not
 * answered 202 is retried with the same client_message_id (as the script does), so every message
 * ends accepted exactly once. Keeps every answer, so that a test can tell what each refusal was.
 */
export class SteadyLoad {
  readonly sent: SentMessage[] = [];
  readonly answers = new Map<number | string, number>();
  readonly refusals: LoadAnswer[] = [];
  private running = false;
  private loop?: Promise<void>;
  private visitors: string[] = [];

  constructor(
    private readonly client: WidgetClient,
    private readonly widget: TestWidget,
    private readonly perSecond = 40,
    private readonly kinds: readonly ClaimKind[] = ['verified', 'failed', 'none'],
  ) {}

  async start(visitorCount = 6): Promise<void> {
    this.visitors = [];
    for (let i = 0; i < visitorCount; i++) this.visitors.push(await this.client.newVisitor());
    this.running = true;
    this.loop = this.run();
  }

  /** Stops sending new messages, then waits until every message sent so far was accepted (202). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  accepted(): SentMessage[] {
    return this.sent.filter((message) => message.messageId);
  }

  /**
   * Every refusal but the contract's 503 for a dependency away (the stream, or a service the gateway
   * asks), with Retry-After: another 5xx, a 4xx, or no answer at all (unless `gatewayDown`) is a fault the visitor saw.
   */
  unexpectedRefusals({ gatewayDown = false } = {}): LoadAnswer[] {
    return this.refusals.filter((answer) => {
      if (answer.status === 'no answer') return !gatewayDown;
      return !(answer.status === 503 && DEPENDENCY_AWAY.includes(answer.errorCode ?? '') && answer.retryAfter === '2');
    });
  }

  private async run(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let n = 0;
    while (this.running) {
      const visitor = n % this.visitors.length;
      const round = Math.floor(n / this.visitors.length);
      const message: SentMessage = {
        clientMessageId: `load-${Date.now()}-${n}`,
        visitor,
        // Each visitor changes kind every round (visitors out of step with each other): a valid claim after others folds a run.
        claim: nth(this.kinds, (round + visitor) % this.kinds.length),
      };
      n++;
      this.sent.push(message);
      const delivery = this.deliver(message).finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
      await new Promise((resolve) => setTimeout(resolve, 1000 / this.perSecond));
    }
    await Promise.all(inFlight);
  }

  private claimFor(message: SentMessage): Record<string, string> {
    const userId = loadUserId(message.visitor);
    if (message.claim === 'verified') return { user_id: userId, user_hash: userHash(userId, this.widget.secret) };
    if (message.claim === 'failed') return { user_id: userId, user_hash: userHash(userId, 'f'.repeat(64)) };
    return {};
  }

  private async deliver(message: SentMessage): Promise<void> {
    const body = { client_message_id: message.clientMessageId, text: `${message.claim} ${message.clientMessageId}`, ...this.claimFor(message) };
    for (let attempt = 0; attempt < 600; attempt++) {
      const answer = await this.client.postMessage(nth(this.visitors, message.visitor), body).then(
        (response): LoadAnswer => {
          if (response.status === 202) message.messageId = response.body.message_id;
          const errorCode = (response.body as { error?: { code?: string } }).error?.code;
          return { clientMessageId: message.clientMessageId, status: response.status, retryAfter: response.headers.get('retry-after'), errorCode };
        },
        (): LoadAnswer => ({ clientMessageId: message.clientMessageId, status: 'no answer', retryAfter: null }),
      );
      this.answers.set(answer.status, (this.answers.get(answer.status) ?? 0) + 1);
      if (message.messageId) return;
      this.refusals.push(answer);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`message ${message.clientMessageId} was never accepted`);
  }
}
