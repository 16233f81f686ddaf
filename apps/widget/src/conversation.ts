import { Pending } from './store';
import { Line } from './ui';

/** A message as the widget API's history and stream give it. */
export interface Message {
  message_id: string;
  author: 'visitor' | 'operator';
  text: string;
  created_at: string;
}

export interface History {
  contact: { is_verified: boolean };
  messages: Message[];
  next_cursor: string | null;
  /** Enforce mode: without a verified user, the widget shows the sign-in prompt in place of the composer. */
  identity_required?: boolean;
  sign_in_prompt?: string | null;
}

/** What the outbox adds to the conversation: whether it is held back by a wait, and which entry is on its way. */
export interface OutboxState {
  outbox: Pending[];
  waiting: boolean;
  sending?: string;
}

function toLine(message: Message): Line {
  return { id: message.message_id, author: message.author, text: message.text, at: message.created_at };
}

/**
 * The conversation as the visitor sees it, without the DOM: history (with its cursor to older
 * messages), what the stream delivered, messages accepted (202) but not yet seen in either, and the
 * outbox. Each message shows once, by its `message_id`.
 */
export class Conversation {
  private lines: Line[] = [];
  /** Accepted (202) but not yet seen in history or on the stream. */
  private readonly accepted = new Map<string, Line>();
  /** Whether the last history read showed a verified user's conversation. */
  private verified = false;
  private cursor: string | null = null;
  /** Messages the stream delivered while a history read was under way: newer than what it may return. */
  private liveDuringRead: Line[] = [];
  private reading = 0;

  get hasOlder(): boolean {
    return this.cursor !== null;
  }

  /** Where to read older messages from; null when there are none. */
  get olderCursor(): string | null {
    return this.cursor;
  }

  clear(): void {
    this.lines = [];
    this.accepted.clear();
    this.verified = false;
    this.cursor = null;
    this.liveDuringRead = [];
  }

  /** A history read starts: the stream's messages from now on are kept beside what it returns. */
  readStarted(): void {
    if (this.reading++ === 0) this.liveDuringRead = [];
  }

  readEnded(): void {
    this.reading--;
  }

  /** The newest page of history replaces the conversation; returns whether it is a verified user's. */
  showHistory(history: History): boolean {
    const read = new Set(history.messages.map((message) => message.message_id));
    this.lines = history.messages.map(toLine).concat(this.liveDuringRead.filter((line) => !read.has(line.id)));
    this.cursor = history.next_cursor;
    // The claim stopped verifying (a rotation): what was sent under it belongs to the conversation no longer shown.
    if (this.verified && !history.contact.is_verified) this.accepted.clear();
    this.verified = history.contact.is_verified;
    return this.verified;
  }

  /** An older page of history goes before what is shown. */
  showOlder(history: History): void {
    const known = new Set(this.lines.map((line) => line.id));
    this.lines = history.messages
      .filter((message) => !known.has(message.message_id))
      .map(toLine)
      .concat(this.lines);
    this.cursor = history.next_cursor;
  }

  /** A message from the stream; `shown` is false for a malformed event, `unread` for a new operator line. */
  receive(message: Message): { shown: boolean; unread: boolean } {
    if (!message || !message.message_id) return { shown: false, unread: false };
    this.accepted.delete(message.message_id);
    const line = toLine(message);
    if (this.reading) this.liveDuringRead.push(line);
    const index = this.lines.findIndex((known) => known.id === line.id);
    if (index >= 0) {
      this.lines[index] = line;
      return { shown: true, unread: false };
    }
    this.lines.push(line);
    return { shown: true, unread: line.author === 'operator' };
  }

  /** The gateway accepted a visitor's message: shown until history or the stream brings it. */
  accept(messageId: string, text: string): void {
    if (!this.lines.some((line) => line.id === messageId)) this.accepted.set(messageId, { id: messageId, author: 'visitor', text });
  }

  /** The lines to show: the conversation, then accepted messages, then the outbox with each entry's state. */
  visible({ outbox, waiting, sending }: OutboxState): Line[] {
    const shown = new Set(this.lines.map((line) => line.id));
    const lines = this.lines.slice();
    for (const [id, line] of this.accepted) {
      if (shown.has(id)) this.accepted.delete(id);
      else lines.push(line);
    }
    for (const pending of outbox) {
      lines.push({ id: `pending-${pending.c}`, author: 'visitor', text: pending.x, state: waiting && sending !== pending.c ? 'waiting' : 'sending' });
    }
    return lines;
  }
}
