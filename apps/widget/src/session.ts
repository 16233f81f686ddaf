import { ApiFailure, post, postJson } from './api';
import { mark, Pending, randomId, Store } from './store';

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
export interface Claim {
  userId: string;
  userHash?: string;
  userJwt?: string;
  email?: string;
  name?: string;
}

/** The settings fields that carry a person's claim: logout removes them from the page too. */
const CLAIM_SETTINGS = ['userId', 'userHash', 'userJwt', 'userEmail', 'userName'];

/** The claim as the widget API takes it: the user_id/user_hash pair, the user_jwt, or both. */
export function claimFields(claim: Claim | undefined): Record<string, string> {
  if (!claim) return {};
  return { ...(claim.userHash ? { user_id: claim.userId, user_hash: claim.userHash } : {}), ...(claim.userJwt ? { user_jwt: claim.userJwt } : {}) };
}

/** The claim of an identity, or none when it lacks a hash or token, or any user id. */
export function claimOf(identity: Identity, email?: string, name?: string): Claim | undefined {
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

/** Whether two claims are the same claim (same user, same hash, same token): identify then changes nothing. */
export function sameClaim(a: Claim | undefined, b: Claim): boolean {
  return !!a && a.userId === b.userId && a.userHash === b.userHash && a.userJwt === b.userJwt;
}

/**
 * Who this browser is to the gateway: one visitor token per widget key (kept in the Store), the
 * page's claim, and a generation. Logout, identify and a lost token start a new generation, and
 * whatever an older one had in flight is ignored when it returns (compare with `isCurrent`).
 */
export class Session {
  private currentGeneration = 0;
  token?: string;
  claim?: Claim;
  private creating?: Promise<string>;
  private identifying = false;
  readonly store: Store;

  constructor(
    private readonly key: string,
    private readonly base: string,
    private readonly settings: Settings,
  ) {
    this.store = new Store(`inviaro:v1:${key}`);
    this.claim = claimOf(settings, settings.userEmail, settings.userName);
  }

  get generation(): number {
    return this.currentGeneration;
  }

  isCurrent(generation: number): boolean {
    return generation === this.currentGeneration;
  }

  /** A new generation on the same token (the claim changed, or the token was lost). */
  renew(): void {
    this.currentGeneration++;
  }

  /** Whether this browser's token was identified as a user other than `userId`'s (no mark: nobody). */
  savedForOtherUser(userId: string | undefined): boolean {
    const saved = this.store.read().u;
    return !!saved && (userId === undefined || saved !== mark(userId));
  }

  /** This session's token, or the one another tab saved. */
  adoptSavedToken(): string | undefined {
    this.token = this.token || this.store.read().t;
    return this.token;
  }

  /** The visitor token, created once however many callers wait for it; `created` runs when a new one arrives. */
  visitorToken(created: () => void): Promise<string> {
    if (this.token) return Promise.resolve(this.token);
    if (!this.creating) {
      const generation = this.generation;
      const claim = this.claim;
      this.creating = postJson<{ visitor_token: string }>(this.base, 'visitors', { key: this.key }).then((body) => {
        if (!this.isCurrent(generation)) throw new ApiFailure({ kind: 'retry' });
        this.token = body.visitor_token;
        created();
        this.store.update((saved) => {
          saved.t = body.visitor_token;
          if (claim) saved.u = mark(claim.userId);
        });
        return body.visitor_token;
      });
      const clear = () => {
        if (this.isCurrent(generation)) this.creating = undefined;
      };
      this.creating.then(clear, clear);
    }
    return this.creating;
  }

  /** A widget call with this session's token and claim (`withAttributes`: the claim's email and name too). */
  call<T>(path: string, body: object, withAttributes = false): Promise<T> {
    const claim = this.claim;
    const fields: Record<string, unknown> = { key: this.key, visitor_token: this.token, ...claimFields(claim) };
    if (claim) {
      if (withAttributes && claim.email) fields.email = claim.email;
      if (withAttributes && claim.name) fields.name = claim.name;
    }
    return postJson<T>(this.base, path, { ...fields, ...body });
  }

  /** The live stream's request body for this session. */
  streamRequest(): object {
    return { key: this.key, visitor_token: this.token, ...claimFields(this.claim) };
  }

  /**
   * Sends identify once per token and claim (messages carry the claim anyway): the call, or none
   * when there is nothing to send or one is under way. A late answer of an older generation is not recorded.
   */
  identifyOnce(): Promise<void> | undefined {
    if (this.identifying) return undefined;
    const claimMark = this.claimToIdentify();
    if (!claimMark) return undefined;
    const generation = this.generation;
    this.identifying = true;
    const sent = this.call('identify', {}, true).then(() => {
      if (this.isCurrent(generation)) this.identified(claimMark);
    });
    const done = () => {
      this.identifying = false;
    };
    sent.then(done, done);
    return sent;
  }

  /**
   * The mark of the claim to send identify with, or none when this token was already identified
   * with it. Records which user the token is for.
   */
  claimToIdentify(): string | undefined {
    const claim = this.claim;
    if (!claim) return undefined;
    const claimMark = mark(`${claim.userId}\n${claim.userHash ?? ''}\n${claim.userJwt ?? ''}`);
    const userMark = mark(claim.userId);
    const saved = this.store.read();
    if (saved.u !== userMark) this.store.update((next) => (next.u = userMark));
    return saved.i === claimMark ? undefined : claimMark;
  }

  identified(claimMark: string): void {
    this.store.update((saved) => (saved.i = claimMark));
  }

  /** Messages typed but not yet accepted, oldest first: kept with the token, across reloads and tabs. */
  outbox(): Pending[] {
    return this.store.read().o || [];
  }

  queue(text: string): void {
    this.store.update((saved) => (saved.o = (saved.o || []).concat({ c: randomId(), x: text })));
  }

  /** An entry leaves the outbox once the gateway accepted it, or refused it for good. */
  unqueue(clientMessageId: string): void {
    this.store.update((saved) => (saved.o = (saved.o || []).filter((pending) => pending.c !== clientMessageId)));
  }

  /** The gateway no longer knows the token (logged out elsewhere): a new visitor; unsent messages go with it. */
  tokenLost(): void {
    this.token = undefined;
    this.store.update((saved) => {
      delete saved.t;
      delete saved.i;
    });
  }

  /**
   * Forgets everything on this page and in this browser: token, claim (also from the page's
   * settings) and storage; returns the token that was in use, for `endAtGateway`.
   */
  forget(): string | undefined {
    const token = this.token || this.store.read().t;
    this.renew();
    this.token = undefined;
    this.creating = undefined;
    this.claim = undefined;
    this.store.clear();
    const settings = this.settings as Record<string, unknown>;
    for (const field of CLAIM_SETTINGS) delete settings[field];
    return token;
  }

  /** Ends a token at the gateway; `keepalive`, so it survives a navigation. Never fails. */
  endAtGateway(token: string): Promise<void> {
    return post(this.base, 'logout', { key: this.key, visitor_token: token }, { keepalive: true }).then(
      () => undefined,
      () => undefined,
    );
  }
}
