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

/**
 * Widgets' traffic as the widget script sends it: several visitors posting at a steady rate, a
 * third with a valid claim, a third with a wrong one, a third with none. A message that is not
 * answered 202 is retried with the same client_message_id (as the script does), so every message
 * ends accepted exactly once. Counts what the gateway answered, 202s included.
 */
export class SteadyLoad {
  readonly sent: SentMessage[] = [];
  readonly answers = new Map<number | string, number>();
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

  private async run(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let n = 0;
    while (this.running) {
      const message: SentMessage = {
        clientMessageId: `load-${Date.now()}-${n}`,
        visitor: n % this.visitors.length,
        claim: nth(this.kinds, n % this.kinds.length),
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
    const userId = `user-${message.visitor}`;
    if (message.claim === 'verified') return { user_id: userId, user_hash: userHash(userId, this.widget.secret) };
    if (message.claim === 'failed') return { user_id: userId, user_hash: userHash(userId, 'f'.repeat(64)) };
    return {};
  }

  private async deliver(message: SentMessage): Promise<void> {
    const body = { client_message_id: message.clientMessageId, text: `${message.claim} ${message.clientMessageId}`, ...this.claimFor(message) };
    for (let attempt = 0; attempt < 600; attempt++) {
      const status = await this.client
        .postMessage(nth(this.visitors, message.visitor), body)
        .then((response) => {
          if (response.status === 202) message.messageId = response.body.message_id;
          return response.status;
        })
        .catch(() => 'no answer');
      this.answers.set(status, (this.answers.get(status) ?? 0) + 1);
      if (message.messageId) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`message ${message.clientMessageId} was never accepted`);
  }
}
