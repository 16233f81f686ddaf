import { backoff, Failure, failureOf } from './api';
import { Conversation, History } from './conversation';
import { LiveStream } from './live';
import { Identity, Session, Settings, claimOf, sameClaim } from './session';
import { ChatUi } from './ui';

export type { Identity, Settings } from './session';

const REFUSED_TEXT = 'Chat can’t connect from this page.';
const SIGN_IN_TEXT = 'Please sign in to chat with us.';

/**
 * The widget's coordinator: the session (token, claim, identify, the outbox in storage: session.ts),
 * the conversation (conversation.ts), the live stream (live.ts) and the view (ui.ts). It decides when
 * to get a token, identify, stream and send the outbox, what a failure means, and when to retry.
 * Every async step checks the session's generation: logout, identify and a lost token start a new
 * one, and whatever the old one had in flight is ignored when it returns.
 */
export class Widget {
  private readonly session: Session;
  private readonly conversation = new Conversation();
  private readonly live: LiveStream;
  readonly ui: ChatUi;

  private refused = false;
  private wanted = false;
  private flushing = false;
  private sending?: string;
  private retryTimer?: number;
  private retries = 0;
  /** The widget's sign-in prompt, as the last history read gave it (enforce mode). */
  private signInPrompt = SIGN_IN_TEXT;

  constructor(key: string, base: string, settings: Settings) {
    this.session = new Session(key, base, settings);
    this.ui = new ChatUi({ send: (text) => this.send(text), opened: () => this.open(), older: () => void this.older() });
    this.live = new LiveStream(base, {
      request: (generation) => (this.session.isCurrent(generation) && !this.refused && this.session.token ? this.session.streamRequest() : undefined),
      isCurrent: (generation) => this.session.isCurrent(generation),
      ready: (generation) => {
        if (this.retryTimer === undefined) this.ui.setStatus('');
        void this.loadHistory(generation);
      },
      message: (message) => {
        const { shown, unread } = this.conversation.receive(message);
        if (unread) this.ui.addUnread();
        if (shown) this.render();
      },
      refused: (failure) => this.failed(failure),
      reconnecting: () => this.ui.setStatus('Reconnecting…'),
    });
    window.addEventListener('online', () => this.retryNow());
    window.addEventListener('storage', (event) => {
      if (event.key === this.session.store.name || event.key === null) this.otherTab();
    });
  }

  /** After the page's queued calls: drops a session another person left behind, then resumes. */
  start(): void {
    if (this.session.savedForOtherUser(this.session.claim?.userId)) void this.reset(true);
    this.ui.mount();
    this.sync();
  }

  identify(identity: Identity): void {
    const claim = identity && claimOf(identity, identity.email, identity.name);
    if (!claim) {
      console.warn('Inviaro: identify needs userId and userHash, or userJwt');
      return;
    }
    const previous = this.session.claim;
    // Someone else logged in on this browser without a logout in between: nothing of theirs carries over.
    if ((previous && previous.userId !== claim.userId) || this.session.savedForOtherUser(claim.userId)) void this.reset(true);
    this.session.claim = claim;
    if (sameClaim(previous, claim)) {
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
    const token = this.session.forget();
    this.wanted = false;
    this.conversation.clear();
    this.retries = 0;
    this.live.stop();
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.ui.clear();
    this.ui.setOpen(false);
    return token && remote ? this.session.endAtGateway(token) : Promise.resolve();
  }

  /** A new session on the same token (the claim changed): stream, history and identify again. */
  private restart(): void {
    this.session.renew();
    this.live.stop();
    this.sync();
  }

  /** Brings this session up to what it should be: a token when needed, identify, the stream, the outbox. */
  private sync(): void {
    if (this.refused) return;
    const token = this.session.adoptSavedToken();
    this.render();
    if (!token && !this.session.claim && !this.wanted && !this.session.outbox().length) return;
    const generation = this.session.generation;
    this.session
      .visitorToken(() => (this.retries = 0))
      .then(
        () => {
          if (!this.session.isCurrent(generation)) return;
          this.identifyNow();
          this.live.run(generation);
          void this.flush();
        },
        (error) => this.session.isCurrent(generation) && this.failed(failureOf(error)),
      );
  }

  private failed(failure: Failure): void {
    if (failure.kind === 'refused' || failure.kind === 'bad') {
      // Not allowed here (403/404), or a request this page's settings make wrong (400, e.g. a malformed key).
      this.refused = true;
      this.live.stop();
      this.ui.setUnavailable(REFUSED_TEXT);
      console.warn(`Inviaro: the gateway refused this page (${failure.code})`);
    } else if (failure.kind === 'identity') {
      // Kept in the outbox: sent once the page identifies a user that verifies.
      this.ui.setSignIn(this.signInPrompt);
    } else if (failure.kind === 'token') {
      this.session.tokenLost();
      this.restart();
    } else if (failure.kind === 'retry') {
      this.scheduleRetry(failure.after);
    }
  }

  private scheduleRetry(afterSeconds?: number): void {
    if (this.retryTimer !== undefined) return;
    const delay = afterSeconds !== undefined ? afterSeconds * 1000 : backoff(this.retries);
    this.retries++;
    this.ui.setStatus(
      navigator.onLine === false ? 'You’re offline. Messages will be sent when you’re back online.' : 'Can’t reach the chat right now. Trying again…',
    );
    this.render();
    this.retryTimer = window.setTimeout(() => {
      this.retryTimer = undefined;
      this.sync();
    }, delay);
  }

  private retryNow(): void {
    window.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.live.wakeUp();
    this.sync();
  }

  private otherTab(): void {
    const saved = this.session.store.read();
    if (!saved.t && this.session.token) {
      void this.reset(false);
    } else if (saved.t && saved.t !== this.session.token) {
      this.session.token = saved.t;
      this.restart();
    } else {
      this.render();
      if (this.session.outbox().length) void this.flush();
    }
  }

  private identifyNow(): void {
    const generation = this.session.generation;
    void this.session.identifyOnce()?.then(
      () => {
        if (this.session.isCurrent(generation)) this.retries = 0;
      },
      (error) => this.session.isCurrent(generation) && this.failed(failureOf(error)),
    );
  }

  // ---- messages ----------------------------------------------------------------------------

  private send(text: string): void {
    this.wanted = true;
    this.session.queue(text);
    this.render();
    this.sync();
  }

  /** Sends the outbox oldest first, one at a time; an entry leaves it only once the gateway accepted it. */
  private async flush(): Promise<void> {
    if (this.flushing || this.refused || this.retryTimer !== undefined) return;
    const generation = this.session.generation;
    this.flushing = true;
    try {
      for (;;) {
        const next = this.session.outbox()[0];
        if (!next || !this.session.isCurrent(generation) || !this.session.token) return;
        this.sending = next.c;
        this.render();
        try {
          const { message_id } = await this.session.call<{ message_id: string }>('messages', { client_message_id: next.c, text: next.x }, true);
          if (!this.session.isCurrent(generation)) return;
          this.session.unqueue(next.c);
          this.conversation.accept(message_id, next.x);
          this.retries = 0;
          this.ui.setStatus('');
        } catch (error) {
          if (!this.session.isCurrent(generation)) return;
          const failure = failureOf(error);
          if (failure.kind === 'bad') {
            // Never acceptable as it is (e.g. too long): drop it rather than block the ones after it.
            this.session.unqueue(next.c);
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

  // ---- history -----------------------------------------------------------------------------

  private async loadHistory(generation: number): Promise<void> {
    this.conversation.readStarted();
    try {
      const history = await this.session.call<History>('history', { limit: 50 });
      if (!this.session.isCurrent(generation)) return;
      const verified = this.conversation.showHistory(history);
      this.ui.setVerified(verified);
      this.signInPrompt = history.sign_in_prompt ?? SIGN_IN_TEXT;
      this.ui.setSignIn(history.identity_required && !verified ? this.signInPrompt : undefined);
      this.render(true);
    } catch (error) {
      if (!this.session.isCurrent(generation)) return;
      const failure = failureOf(error);
      // The stream reconnects and its `ready` reads the history again.
      if (failure.kind === 'retry') this.live.stop(true);
      else this.failed(failure);
    } finally {
      this.conversation.readEnded();
    }
  }

  private async older(): Promise<void> {
    const generation = this.session.generation;
    const cursor = this.conversation.olderCursor;
    if (!cursor) return;
    try {
      const history = await this.session.call<History>('history', { limit: 50, before: cursor });
      if (!this.session.isCurrent(generation)) return;
      this.conversation.showOlder(history);
      this.render();
    } catch (error) {
      if (this.session.isCurrent(generation)) this.failed(failureOf(error));
    }
  }

  private render(replacing = false): void {
    const waiting = this.retryTimer !== undefined || this.refused;
    const lines = this.conversation.visible({ outbox: this.session.outbox(), waiting, sending: this.sending });
    this.ui.setOlder(this.conversation.hasOlder);
    this.ui.render(lines, replacing);
  }
}
