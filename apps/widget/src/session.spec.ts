import { describe, expect, it } from '@jest/globals';
import { claimFields, claimOf, sameClaim, Session } from './session';

const HASH = 'ab'.repeat(32);
/** A token's three parts; only the payload matters to the widget, which never verifies it. */
const token = (payload: object) => `e30.${btoa(JSON.stringify(payload)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.sig`;

describe('claimOf', () => {
  it('takes an id with its hash, with the attributes', () => {
    expect(claimOf({ userId: 'u1', userHash: HASH }, 'a@b.c', 'A')).toEqual({ userId: 'u1', userHash: HASH, userJwt: undefined, email: 'a@b.c', name: 'A' });
  });

  it("keeps a token alone for its subject, read from the token's payload", () => {
    expect(claimOf({ userJwt: token({ sub: 'u2' }) })?.userId).toBe('u2');
    expect(claimOf({ userJwt: token({ sub: 42 }) })?.userId).toBe('42');
  });

  it.each([
    ['an id without a hash or token', { userId: 'u1' }],
    ['a hash without an id', { userHash: HASH }],
    ['a token without a subject', { userJwt: token({ name: 'x' }) }],
    ['a token that is no JWS', { userJwt: 'not a token' }],
  ])('has none for %s', (_name, identity) => {
    expect(claimOf(identity)).toBeUndefined();
  });
});

describe('claimFields', () => {
  it('sends the pair, the token, or both, and nothing without a claim', () => {
    const jwt = token({ sub: 'u1' });
    expect(claimFields({ userId: 'u1', userHash: HASH })).toEqual({ user_id: 'u1', user_hash: HASH });
    expect(claimFields({ userId: 'u1', userJwt: jwt })).toEqual({ user_jwt: jwt });
    expect(claimFields({ userId: 'u1', userHash: HASH, userJwt: jwt })).toEqual({ user_id: 'u1', user_hash: HASH, user_jwt: jwt });
    expect(claimFields(undefined)).toEqual({});
  });
});

describe('sameClaim', () => {
  it('is the same user, hash and token; attributes do not count', () => {
    const claim = { userId: 'u1', userHash: HASH, email: 'a@b.c' };
    expect(sameClaim({ userId: 'u1', userHash: HASH }, claim)).toBe(true);
    expect(sameClaim({ userId: 'u1', userHash: 'cd'.repeat(32) }, claim)).toBe(false);
    expect(sameClaim(undefined, claim)).toBe(false);
  });
});

// In node there is no localStorage: the Store keeps what it saves in memory, as in a browser that blocks storage.
describe('Session', () => {
  it('identifies once per token and claim, and again after the token was lost', () => {
    const session = new Session('wt_k', 'http://gateway', { userId: 'u1', userHash: HASH });
    const claimMark = session.claimToIdentify();
    expect(claimMark).toEqual(expect.any(String));
    session.identified(claimMark as string);
    expect(session.claimToIdentify()).toBeUndefined();
    session.tokenLost();
    expect(session.claimToIdentify()).toBe(claimMark);
  });

  it("notices a browser left identified as another user, and nobody's after forget", () => {
    const session = new Session('wt_k', 'http://gateway', { userId: 'u1', userHash: HASH });
    session.claimToIdentify();
    expect(session.savedForOtherUser('u1')).toBe(false);
    expect(session.savedForOtherUser('u2')).toBe(true);
    expect(session.savedForOtherUser(undefined)).toBe(true);
    session.forget();
    expect(session.savedForOtherUser('u2')).toBe(false);
  });

  it('keeps the outbox oldest first, each entry with its own client_message_id, until it is unqueued or forgotten', () => {
    const session = new Session('wt_k', 'http://gateway', {});
    session.queue('first');
    session.queue('second');
    const [first, second] = session.outbox();
    expect([first?.x, second?.x]).toEqual(['first', 'second']);
    expect(first?.c).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.c).not.toBe(second?.c);
    session.unqueue(first?.c ?? '');
    expect(session.outbox()).toEqual([second]);
    session.forget();
    expect(session.outbox()).toEqual([]);
  });

  it('forgets the claim, also from the page settings, and starts a new generation', () => {
    const settings = { key: 'wt_k', userId: 'u1', userHash: HASH, userEmail: 'a@b.c', userName: 'A' };
    const session = new Session('wt_k', 'http://gateway', settings);
    session.token = 'vt_1';
    const generation = session.generation;
    expect(session.forget()).toBe('vt_1');
    expect(session.isCurrent(generation)).toBe(false);
    expect(session.claim).toBeUndefined();
    expect(session.token).toBeUndefined();
    expect(settings).toEqual({ key: 'wt_k' });
  });
});
