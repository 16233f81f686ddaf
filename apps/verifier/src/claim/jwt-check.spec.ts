import { createHmac } from 'node:crypto';
import { sign, SignOptions } from 'jsonwebtoken';
import { checkJwt, JWT_CLOCK_SKEW_SECONDS, JwtKeys, MAX_JWT_LIFETIME_SECONDS } from './jwt-check';

const NOW = 1_800_000_000;
const CURRENT = { version: 3, secret: 'c0ffee'.repeat(10) + 'c0de' };
const PREVIOUS = { version: 2, secret: 'b'.repeat(64) };
const WIDGET_KEY = 'wt_test';
const ONLY_CURRENT: JwtKeys = { live: [CURRENT], retired: PREVIOUS, widgetKey: WIDGET_KEY };
const STAGED: JwtKeys = { live: [CURRENT, PREVIOUS], widgetKey: WIDGET_KEY };

const token = (payload: object, secret = CURRENT.secret, options: SignOptions = {}) =>
  sign({ iat: NOW, exp: NOW + 600, ...payload }, secret, { algorithm: 'HS256', ...options });
const b64 = (value: object | string) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** A token made by hand, for headers no library would write. */
function handMade(header: object, payload: object, secret = CURRENT.secret): string {
  const signingInput = `${b64(header)}.${b64(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

describe('checkJwt', () => {
  it('verifies, with the signed email and name, the version it verified under and until when (its exp and the skew)', () => {
    expect(checkJwt(token({ sub: 'usr_1', email: 'a@example.com', name: 'Ada', exp: NOW + 600 }), ONLY_CURRENT, NOW)).toEqual({
      verified: true,
      userId: 'usr_1',
      secretVersion: 3,
      attributes: { email: 'a@example.com', name: 'Ada' },
      verifiedUntil: (NOW + 600 + JWT_CLOCK_SKEW_SECONDS) * 1000,
    });
  });

  it('keys the HMAC with the UTF-8 bytes of the secret text, as user_hash does', () => {
    const payload = { sub: 'usr_1', iat: NOW, exp: NOW + 60 };
    expect(checkJwt(handMade({ alg: 'HS256', typ: 'JWT' }, payload), ONLY_CURRENT, NOW)).toMatchObject({ verified: true });
  });

  it('verifies under either live secret during a staged rotation, and a kid picks one', () => {
    expect(checkJwt(token({ sub: 'u' }, PREVIOUS.secret), STAGED, NOW)).toMatchObject({ verified: true, secretVersion: 2 });
    expect(checkJwt(token({ sub: 'u' }, PREVIOUS.secret, { keyid: 'v2' }), STAGED, NOW)).toMatchObject({ verified: true, secretVersion: 2 });
    expect(checkJwt(token({ sub: 'u' }, CURRENT.secret, { keyid: 'v3' }), STAGED, NOW)).toMatchObject({ verified: true, secretVersion: 3 });
    // A kid names one key: a token signed with the other does not verify under it.
    expect(checkJwt(token({ sub: 'u' }, PREVIOUS.secret, { keyid: 'v3' }), STAGED, NOW)).toMatchObject({ verified: false, reason: 'jwt_signature' });
  });

  it('takes an integer sub as its decimal text, and an aud that is the widget key', () => {
    expect(checkJwt(token({ sub: 42 }), ONLY_CURRENT, NOW)).toMatchObject({ verified: true, userId: '42' });
    expect(checkJwt(token({ sub: 'u', aud: WIDGET_KEY }), ONLY_CURRENT, NOW)).toMatchObject({ verified: true });
    expect(checkJwt(token({ sub: 'u', aud: ['other', WIDGET_KEY] }), ONLY_CURRENT, NOW)).toMatchObject({ verified: true });
  });

  it('allows a minute of clock skew', () => {
    expect(checkJwt(token({ sub: 'u', exp: NOW - 30 }), ONLY_CURRENT, NOW)).toMatchObject({ verified: true });
    expect(checkJwt(token({ sub: 'u', iat: NOW + 30, nbf: NOW + 30 }), ONLY_CURRENT, NOW)).toMatchObject({ verified: true });
  });

  describe('fails with its own reason', () => {
    it.each<[string, () => string, string]>([
      ['not a token', () => 'abc.def.ghi', 'jwt_malformed'],
      ['a payload that is not JSON', () => `${b64({ alg: 'HS256' })}.${b64('hello')}.sig`, 'jwt_malformed'],
      ['alg none', () => `${b64({ alg: 'none' })}.${b64({ sub: 'u', exp: NOW + 60 })}.`, 'jwt_algorithm'],
      ['HS512', () => token({ sub: 'u' }, CURRENT.secret, { algorithm: 'HS512' }), 'jwt_algorithm'],
      ['RS256 in the header', () => handMade({ alg: 'RS256' }, { sub: 'u', exp: NOW + 60 }), 'jwt_algorithm'],
      ['another secret', () => token({ sub: 'u' }, 'f'.repeat(64)), 'jwt_signature'],
      [
        'a payload altered after signing',
        () => token({ sub: 'u' }).replace(/\.[^.]+\./, `.${b64({ sub: 'admin', iat: NOW, exp: NOW + 600 })}.`),
        'jwt_signature',
      ],
      ['a kid of no version', () => token({ sub: 'u' }, CURRENT.secret, { keyid: 'v9' }), 'jwt_unknown_key'],
      ['a kid that is no version at all', () => token({ sub: 'u' }, CURRENT.secret, { keyid: 'main' }), 'jwt_unknown_key'],
      ['the retired secret, named by kid', () => token({ sub: 'u' }, PREVIOUS.secret, { keyid: 'v2' }), 'stale_secret'],
      ['the retired secret, without a kid', () => token({ sub: 'u' }, PREVIOUS.secret), 'stale_secret'],
      ['expired past the skew', () => token({ sub: 'u', iat: NOW - 700, exp: NOW - 61 }), 'jwt_expired'],
      ['not yet valid (nbf)', () => token({ sub: 'u', nbf: NOW + 120 }), 'jwt_not_yet_valid'],
      ['issued in the future', () => token({ sub: 'u', iat: NOW + 120, exp: NOW + 600 }), 'jwt_not_yet_valid'],
      ['no exp', () => sign({ sub: 'u', iat: NOW }, CURRENT.secret), 'jwt_lifetime'],
      ['a lifetime over the maximum', () => token({ sub: 'u', exp: NOW + MAX_JWT_LIFETIME_SECONDS + 1 }), 'jwt_lifetime'],
      [
        'without iat, an exp too far from now',
        () => sign({ sub: 'u', exp: NOW + MAX_JWT_LIFETIME_SECONDS + 600 }, CURRENT.secret, { noTimestamp: true }),
        'jwt_lifetime',
      ],
      ['another widget’s aud', () => token({ sub: 'u', aud: 'wt_other' }), 'jwt_audience'],
      ['no sub', () => token({}), 'jwt_malformed'],
      ['a sub of 256 characters', () => token({ sub: 'x'.repeat(256) }), 'jwt_malformed'],
      ['a sub with a NUL', () => token({ sub: 'a\u0000b' }), 'jwt_malformed'],
      ['an email that is not text', () => token({ sub: 'u', email: ['a@example.com'] }), 'jwt_malformed'],
      ['a name over 255 characters', () => token({ sub: 'u', name: 'n'.repeat(256) }), 'jwt_malformed'],
    ])('%s', (_name, make, reason) => {
      expect(checkJwt(make(), ONLY_CURRENT, NOW)).toMatchObject({ verified: false, reason });
    });

    it('names the token’s sub as the claimed user id, never as an identity', () => {
      expect(checkJwt(token({ sub: 'usr_1' }, 'f'.repeat(64)), ONLY_CURRENT, NOW)).toEqual({
        verified: false,
        reason: 'jwt_signature',
        claimedUserId: 'usr_1',
      });
    });
  });
});
