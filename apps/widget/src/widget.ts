import { ApiFailure, Failure, failureOf, post, postJson, readStream } from './api';
import { mark, Pending, randomId, Store } from './store';
import { ChatUi, Line } from './ui';

/** `window.InviaroSettings`, as the customer docs' "Wiring the page" sets it. */
export interface Settings {
  key?: string;
  /** The page's origin as the customer configured it; the gateway checks the real Origin header. */
  origin?: string;
  /** The gateway; default: the origin v1.js was loaded from. */
  apiBase?: string;
  userId?: string;
  userHash?: string;
  /** A token signed on the customer's server in place of userHash (docs/identity-jwt.md). */
  userJwt?: string;
  userEmail?: string;
  userName?: string;
}

/** `Inviaro('identify', …)`: a logged-in user's id, the server-computed hash or token, and optional attributes. */
export interface Identity {
  userId?: string;
  userHash?: string;
  userJwt?: string;
  email?: string;
  name?: string;
}

/** `userId` is what this browser's session is kept for; with a token alone, the token's `sub`. */
interface Claim {
  userId: string;
  userHash?: string;
  userJwt?: string;
  email?: string;
  name?: string;
}

/** The claim as the widget API takes it: the user_id/user_hash pair, the user_jwt, or both. */
function claimFields(claim: Claim | undefined): Record<string, string> {
  if (!claim) return {};
  return { ...(claim.userHash ? { user_id: claim.userId, user_hash: claim.userHash } : {}), ...(claim.userJwt ? { user_jwt: claim.userJwt } : {}) };
}

/** The claim of an identity, or none when it lacks a hash or token, or any user id. */
function claimOf(identity: Identity, email?: string, name?: string): Claim | undefined {
  const userHash = identity.userHash ? String(identity.userHash) : undefined;
  const userJwt = identity.userJwt ? String(identity.userJwt) : undefined;
  const userId = identity.userId ? String(identity.userId) : userJwt && subjectOf(userJwt);
  return userId && (userHash || userJwt) ? { userId, userHash, userJwt, email, name } : undefined;
}

/** A token's `sub`, read without verifying (the gateway's verifier does that): only to keep this browser's session per user. */
function subjectOf(token: string): string | undefined {
  try {
    const { sub } = JSON.parse(atob((token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown };
    return typeof sub === 'string' || typeof sub === 'number' ? String(sub) : undefined;
  } catch {
    return undefined;
  }
}

interface Message {
  message_id: string;
  author: 'visitor' | 'operator';
  text: string;
  created_at: string;
}

interface History {
  contact: { is_verified: boolean };
  messages: Message[];
  next_cursor: string | null;
}

const MAX_BACKOFF_MS = 30_000;
const REFUSED_TEXT = 'Chat can’t connect from this page.';

/** 2^attempt seconds (at most 30), less up to half at random: spread out, so that a gateway coming back is not stampeded. */
function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2);
}

function toLine(message: Message): Line {
  return { id: message.message_id, author: message.author, text: message.text, at: message.created_at };
}

/**
 * The widget's behaviour: one visitor token per widget key in this browser, the page's identity
 * claim on every call that reads or writes, an outbox that survives outages and reloads, history,
 * and the live stream. Every async step checks `session`: logout, identify and a lost token start a
 * new session, and whatever the old one had in flight is ignored when it returns.
 */
export class Widget {
  private session = 0;
  private token?: string;
  private creating?: Promise<string>;
  private claim?: Claim;
  private refused = false;
  private wanted = false;

  private lines: Line[] = [];
  /** Accepted (202) but not yet seen in history or on the stream. */
  private readonly accepted = new Map<string, Line>();
  /** Whether the last history read showed a verified user's conversation. */
  private verified = false;
  private cursor: string | null = null;
  /** Messages the stream delivered while a history read was under way: newer than what it may return. */
  private liveDuringRead: Line[] = [];
  private reading = 0;

  private flushing = false;
  private sending?: string;
  private retryTimer?: number;
  private retries = 0;
  private identifying = false;

  private streamSession = -1;
  private streamAbort?: AbortController;
  private wake?: () => void;

  private readonly store: Store;
  readonly ui: ChatUi;

  constructor(
    private readonly key: string,
    private readonly base: string,
    private readonly settings: Settings,
  ) {
    this.store = new Store(`inviaro:v1:${key}`);
    this.ui = new ChatUi({ send: (text) => this.send(text), opened: () => this.open(), older: () => void this.older() });
    this.claim = claimOf(settings, settings.userEmail, settings.userName);
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('storage', (event) => {
      if (event.key === this.store.name || event.key === null) this.otherTab();
    });
  }

  /** After the page's queued calls: drops a session another person left behind, then resumes. */
  start(): void {
    const saved = this.store.read();
    if (saved.u && (!this.claim || saved.u !== mark(this.claim.userId))) void this.reset(true);
    this.ui.mount();
    this.sync();
  }

  identify(identity: Identity): void {
    const claim = identity && claimOf(identity, identity.email, identity.name);
    if (!claim) {
      console.warn('Inviaro: identify needs userId and userHash, or userJwt');
      return;
    }
    const previous = this.claim;
    const saved = this.store.read();
    // Someone else logged in on this browser without a logout in between: nothing of theirs carries over.
    if ((previous && previous.userId !== claim.userId) || (saved.u && saved.u !== mark(claim.userId))) void this.reset(true);
    this.claim = claim;
    if (previous && previous.userHash === claim.userHash && previous.userJwt === claim.userJwt && previous.userId === claim.userId) {
      this.sync();
      return;
    }
    this.restart();
  }

  /** Forgets everything on this page and in this browser, and ends the token at the gateway. */
  logout(): Promise<void> {
    return this.reset(true);
  }

  open(): void {
    this.wanted = true;
    this.ui.setOpen(true);
    this.sync();
  }

  close(): void {
    this.ui.setOpen(false);
  }

  // ---- sessions ----------------------------------------------------------------------------

  private reset(remote: boolean): Promise<void> {
    const token = this.token || this.store.read().t;
    this.session++;
    this.token = undefined;
    this.creating = undefined;
    this.claim = undefined;
    this.wanted = false;
    this.lines = [];
    this.accepted.clear();
    this.verified = false;
    this.cursor = null;
    this.liveDuringRead = [];
    this.retries = 0;
    this.stopStream();
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.store.clear();
    const settings = this.settings as Record<string, unknown>;
    for (const field of ['userId', 'userHash', 'userJwt', 'userEmail', 'userName']) delete settings[field];
    this.ui.clear();
    this.ui.setOpen(false);
    if (!token || !remote) return Promise.resolve();
    return post(this.base, 'logout', { key: this.key, visitor_token: token }, { keepalive: true }).then(
      () => undefined,
      () => undefined,
    );
  }

  /** A new session on the same token (the claim changed): stream, history and identify again. */
  private restart(): void {
    this.session++;
    this.stopStream();
    this.sync();
  }

  /** Brings this session up to what it should be: a token when needed, identify, the stream, the outbox. */
  private sync(): void {
    if (this.refused) return;
    this.token = this.token || this.store.read().t;
    this.render();
    if (!this.token && !this.claim && !this.wanted && !this.outbox().length) return;
    const session = this.session;
    this.visitorToken().then(
      () => {
        if (session !== this.session) return;
        this.identifyNow();
        if (this.streamSession !== session) void this.streamLoop(session);
        void this.flush();
      },
      (error) => session === this.session && this.failed(failureOf(error)),
    );
  }

  private visitorToken(): Promise<string> {
    if (this.token) return Promise.resolve(this.token);
    if (!this.creating) {
      const session = this.session;
      const claim = this.claim;
      this.creating = postJson<{ visitor_token: string }>(this.base, 'visitors', { key: this.key }).then((body) => {
        if (session !== this.session) throw new ApiFailure({ kind: 'retry' });
        this.token = body.visitor_token;
        this.retries = 0;
        this.store.update((saved) => {
          saved.t = body.visitor_token;
          if (claim) saved.u = mark(claim.userId);
        });
        return body.visitor_token;
      });
      const clear = () => {
        if (session === this.session) this.creating = undefined;
      };
      this.creating.then(clear, clear);
    }
    return this.creating;
  }

  /** A widget call with this session's token and claim. */
  private call<T>(path: string, body: object, withAttributes = false): Promise<T> {
    const claim = this.claim;
    const fields: Record<string, unknown> = { key: this.key, visitor_token: this.token, ...claimFields(claim) };
    if (claim) {
      if (withAttributes && claim.email) fields.email = claim.email;
      if (withAttributes && claim.name) fields.name = claim.name;
    }
    return postJson<T>(this.base, path, { ...fields, ...body });
  }

  private failed(failure: Failure): void {
    if (failure.kind === 'refused' || failure.kind === 'bad') {
      // Not allowed here (403/404), or a request this page's settings make wrong (400, e.g. a malformed key).
      this.refused = true;
      this.stopStream();
      this.ui.setUnavailable(REFUSED_TEXT);
      console.warn(`Inviaro: the gateway refused this page (${failure.code})`);
    } else if (failure.kind === 'token') {
      // Logged out elsewhere or unknown: a new visitor; unsent messages go with it.
      this.token = undefined;
      this.store.update((saved) => {
        delete saved.t;
        delete saved.i;
      });
      this.restart();
    } else if (failure.kind === 'retry') {
      this.scheduleRetry(failure.after);
    }
  }

  private scheduleRetry(afterSeconds?: number): void {
    if (this.retryTimer !== undefined) return;
    const delay = afterSeconds !== undefined ? afterSeconds * 1000 : backoff(this.retries);
    this.retries++;
    this.ui.setStatus(navigator.onLine === false ? 'You’re offline. Messages will be sent when you’re back online.' : 'Can’t reach the chat right now. Trying again…');
    this.render();
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      this.sync();
    }, delay);
  }

  private retryNow(): void {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.wake) this.wake();
    this.sync();
  }

  private otherTab(): void {
    const saved = this.store.read();
    if (!saved.t && this.token) {
      void this.reset(false);
    } else if (saved.t && saved.t !== this.token) {
      this.token = saved.t;
      this.restart();
    } else {
      this.render();
      if (this.outbox().length) void this.flush();
    }
  }

  // ---- identify ----------------------------------------------------------------------------

  /** Sends identify once per token and claim; messages carry the claim anyway. */
  private identifyNow(): void {
    const claim = this.claim;
    if (!claim || this.identifying) return;
    const claimMark = mark(`${claim.userId}\n${claim.userHash ?? ''}\n${claim.userJwt ?? ''}`);
    const userMark = mark(claim.userId);
    const saved = this.store.read();
    if (saved.u !== userMark) this.store.update((next) => (next.u = userMark));
    if (saved.i === claimMark) return;
    const session = this.session;
    this.identifying = true;
    void this.call('identify', {}, true)
      .then(
        () => {
          if (session !== this.session) return;
          this.retries = 0;
          this.store.update((saved) => (saved.i = claimMark));
        },
        (error) => session === this.session && this.failed(failureOf(error)),
      )
      .then(() => (this.identifying = false));
  }

  // ---- messages ----------------------------------------------------------------------------

  private outbox(): Pending[] {
    return this.store.read().o || [];
  }

  private send(text: string): void {
    this.wanted = true;
    this.store.update((saved) => (saved.o = (saved.o || []).concat({ c: randomId(), x: text })));
    this.render();
    this.sync();
  }

  /** Sends the outbox oldest first, one at a time; an entry leaves it only once the gateway accepted it. */
  private async flush(): Promise<void> {
    if (this.flushing || this.refused || this.retryTimer !== undefined) return;
    const session = this.session;
    this.flushing = true;
    try {
      for (;;) {
        const next = this.outbox()[0];
        if (!next || session !== this.session || !this.token) return;
        this.sending = next.c;
        this.render();
        try {
          const { message_id } = await this.call<{ message_id: string }>('messages', { client_message_id: next.c, text: next.x }, true);
          if (session !== this.session) return;
          this.store.update((saved) => (saved.o = (saved.o || []).filter((pending) => pending.c !== next.c)));
          if (!this.lines.some((line) => line.id === message_id)) this.accepted.set(message_id, { id: message_id, author: 'visitor', text: next.x });
          this.retries = 0;
          this.ui.setStatus('');
        } catch (error) {
          if (session !== this.session) return;
          const failure = failureOf(error);
          if (failure.kind === 'bad') {
            // Never acceptable as it is (e.g. too long): drop it rather than block the ones after it.
            this.store.update((saved) => (saved.o = (saved.o || []).filter((pending) => pending.c !== next.c)));
            this.ui.setStatus('A message could not be sent.', 'error');
            continue;
          }
          this.failed(failure);
          return;
        }
      }
    } finally {
      this.flushing = false;
      this.sending = undefined;
      this.render();
    }
  }

  // ---- history and the stream -------------------------------------------------------------------

  private async loadHistory(session: number): Promise<void> {
    if (this.reading++ === 0) this.liveDuringRead = [];
    try {
      const history = await this.call<History>('history', { limit: 50 });
      if (session !== this.session) return;
      const read = new Set(history.messages.map((message) => message.message_id));
      this.lines = history.messages.map(toLine).concat(this.liveDuringRead.filter((line) => !read.has(line.id)));
      this.cursor = history.next_cursor;
      // The claim stopped verifying (a rotation): what was sent under it belongs to the conversation no longer shown.
      if (this.verified && !history.contact.is_verified) this.accepted.clear();
      this.verified = history.contact.is_verified;
      this.ui.setVerified(this.verified);
      this.render(true);
    } catch (error) {
      if (session !== this.session) return;
      const failure = failureOf(error);
      if (failure.kind === 'retry') this.stopStream(true);
      else this.failed(failure);
    } finally {
      this.reading--;
    }
  }

  private async older(): Promise<void> {
    const session = this.session;
    if (!this.cursor) return;
    try {
      const history = await this.call<History>('history', { limit: 50, before: this.cursor });
      if (session !== this.session) return;
      const known = new Set(this.lines.map((line) => line.id));
      this.lines = history.messages.filter((message) => !known.has(message.message_id)).map(toLine).concat(this.lines);
      this.cursor = history.next_cursor;
      this.render();
    } catch (error) {
      if (session === this.session) this.failed(failureOf(error));
    }
  }

  private live(message: Message): void {
    if (!message || !message.message_id) return;
    this.accepted.delete(message.message_id);
    const line = toLine(message);
    if (this.reading) this.liveDuringRead.push(line);
    const index = this.lines.findIndex((known) => known.id === line.id);
    if (index >= 0) this.lines[index] = line;
    else {
      this.lines.push(line);
      if (line.author === 'operator') this.ui.addUnread();
    }
    this.render();
  }

  /**
   * Open, read until the server ends it (logout, a rotated secret, a restart), reconnect with
   * backoff; every `ready` re-reads the history, so nothing between two connections is missed and
   * a claim that stopped verifying stops showing the verified history.
   */
  private async streamLoop(session: number): Promise<void> {
    this.streamSession = session;
    let attempt = 0;
    while (session === this.session && !this.refused && this.token) {
      const abort = new AbortController();
      this.streamAbort = abort;
      try {
        await readStream(
          this.base,
          { key: this.key, visitor_token: this.token, ...claimFields(this.claim) },
          (event, data) => {
            if (session !== this.session) return;
            if (event === 'ready') {
              attempt = 0;
              if (this.retryTimer === undefined) this.ui.setStatus('');
              void this.loadHistory(session);
            } else if (event === 'message') this.live(data as Message);
          },
          abort.signal,
        );
      } catch (error) {
        if (session !== this.session) return;
        const failure = failureOf(error);
        if (failure.kind === 'refused' || failure.kind === 'token') {
          this.streamSession = -1;
          this.failed(failure);
          return;
        }
        if (!abort.signal.aborted && attempt > 0) this.ui.setStatus('Reconnecting…');
      }
      if (session !== this.session) return;
      await new Promise<void>((resolve) => {
        const timer = window.setTimeout(resolve, backoff(attempt++));
        this.wake = () => {
          window.clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (this.streamSession === session) this.streamSession = -1;
  }

  /** Ends the open stream; `reconnect` keeps the loop going (it then reconnects and re-reads history). */
  private stopStream(reconnect = false): void {
    if (!reconnect) this.streamSession = -1;
    if (this.streamAbort) this.streamAbort.abort();
    this.streamAbort = undefined;
  }

  // ---- rendering -------------------------------------------------------------------------------

  private render(replacing = false): void {
    const shown = new Set(this.lines.map((line) => line.id));
    const lines = this.lines.slice();
    for (const [id, line] of this.accepted) {
      if (shown.has(id)) this.accepted.delete(id);
      else lines.push(line);
    }
    const waiting = this.retryTimer !== undefined || this.refused;
    for (const pending of this.outbox()) {
      lines.push({ id: `pending-${pending.c}`, author: 'visitor', text: pending.x, state: waiting && this.sending !== pending.c ? 'waiting' : 'sending' });
    }
    this.ui.setOlder(this.cursor !== null);
    this.ui.render(lines, replacing);
  }
}
