import { ClaimFailureReason, isAcceptedText, jwtSubject, SignedAttribute } from '@inviaro/contracts';
import { decode, JsonWebTokenError, Jwt, JwtPayload, NotBeforeError, TokenExpiredError, verify } from 'jsonwebtoken';

/** The longest a token may live, from its `iat` (or from now, without one) to its `exp` (docs/identity-jwt.md). */
export const MAX_JWT_LIFETIME_SECONDS = 24 * 3600;
/** How far the customer's clock may be from ours, for `exp`, `nbf` and `iat`. */
export const JWT_CLOCK_SKEW_SECONDS = 60;
/** The longest an email or name may be: the rules of the widget's own fields (visitor-event.fields.ts). */
const ATTRIBUTE_LIMITS: Record<SignedAttribute, number> = { email: 320, name: 255 };

/** A secret that verifies now, with the version a token names as `kid: "v<version>"`. */
export interface LiveSecret {
  version: number;
  secret: string;
}

export interface JwtKeys {
  /** Newest first. */
  live: [LiveSecret, ...LiveSecret[]];
  /** The version just retired, if kept: a token under it is a stale one, not a forged one. */
  retired?: LiveSecret;
  /** The widget's public key: a token's `aud`, when present, must be it (absent in an entry cached before keys were: no `aud` matches). */
  widgetKey: string | undefined;
}

export type JwtVerdict =
  /** `verifiedUntil`: when the token stops verifying (its exp and the skew allowed), in ms since the epoch. */
  | { verified: true; userId: string; secretVersion: number; attributes: Partial<Record<SignedAttribute, string>>; verifiedUntil: number }
  | { verified: false; reason: ClaimFailureReason; claimedUserId?: string };

/**
 * Does this compact JWS verify (docs/identity-jwt.md)? HS256 only, keyed with the UTF-8 bytes
 * of the widget secret's text (as the HMAC of user_hash is). The signature is checked by
 * jsonwebtoken (jwa compares it with crypto.timingSafeEqual) before any claim is believed.
 * Never throws.
 */
export function checkJwt(token: string, keys: JwtKeys, nowSeconds = Math.floor(Date.now() / 1000)): JwtVerdict {
  const decoded = decodedOrNull(token);
  if (!decoded || typeof decoded.payload !== 'object' || decoded.payload === null) return { verified: false, reason: 'jwt_malformed' };
  const subject = jwtSubject(decoded.payload.sub);
  // What the token names, recorded with a failure as a user_id is: never an identity.
  const claimedUserId = subject.userId ?? subject.claimedUserId;
  const fail = (reason: ClaimFailureReason): JwtVerdict => ({ verified: false, reason, claimedUserId });
  if (decoded.header.alg !== 'HS256') return fail('jwt_algorithm');

  const candidates = keyFor(decoded.header.kid, keys);
  if (candidates === 'unknown') return fail('jwt_unknown_key');
  if (candidates === 'retired') return fail('stale_secret');
  for (const key of candidates) {
    const outcome = verifyUnder(token, key.secret, nowSeconds);
    if (outcome === 'bad_signature') continue;
    if (typeof outcome === 'string') return fail(outcome);
    return claimsOf(outcome, key.version, keys.widgetKey, nowSeconds);
  }
  // Without a kid, a token signed with the secret just retired is stale, like a digest.
  const stale = decoded.header.kid === undefined && keys.retired !== undefined && verifyUnder(token, keys.retired.secret, nowSeconds) !== 'bad_signature';
  return fail(stale ? 'stale_secret' : 'jwt_signature');
}

/** Header and payload as the token says, unverified (jws throws on a payload that is not JSON). */
function decodedOrNull(token: string): Jwt | null {
  try {
    return decode(token, { complete: true, json: true });
  } catch {
    return null;
  }
}

/** The secrets to try: the one `kid` names, or every live one without a kid. */
function keyFor(kid: unknown, keys: JwtKeys): LiveSecret[] | 'unknown' | 'retired' {
  if (kid === undefined) return keys.live;
  const version = typeof kid === 'string' && /^v[1-9][0-9]{0,8}$/.test(kid) ? Number(kid.slice(1)) : undefined;
  const live = keys.live.find((key) => key.version === version);
  if (live) return [live];
  return keys.retired !== undefined && keys.retired.version === version ? 'retired' : 'unknown';
}

/** The payload, once the signature verified and the token is in its time; else why not. */
function verifyUnder(token: string, secret: string, nowSeconds: number): JwtPayload | 'bad_signature' | ClaimFailureReason {
  try {
    const payload = verify(token, Buffer.from(secret, 'utf8'), { algorithms: ['HS256'], clockTimestamp: nowSeconds, clockTolerance: JWT_CLOCK_SKEW_SECONDS });
    return typeof payload === 'object' ? payload : 'jwt_malformed';
  } catch (error) {
    // jsonwebtoken checks the signature before the times: an expired or early token is genuine.
    if (error instanceof TokenExpiredError) return 'jwt_expired';
    if (error instanceof NotBeforeError) return 'jwt_not_yet_valid';
    if (error instanceof JsonWebTokenError && error.message === 'invalid signature') return 'bad_signature';
    return 'jwt_malformed';
  }
}

/** The user and signed attributes of a genuine token whose times held, or the claim it breaks. */
function claimsOf(payload: JwtPayload, secretVersion: number, widgetKey: string | undefined, nowSeconds: number): JwtVerdict {
  const { userId, claimedUserId } = jwtSubject(payload.sub);
  const fail = (reason: ClaimFailureReason): JwtVerdict => ({ verified: false, reason, claimedUserId: userId ?? claimedUserId });
  if (typeof payload.exp !== 'number') return fail('jwt_lifetime');
  if (payload.iat !== undefined && typeof payload.iat !== 'number') return fail('jwt_malformed');
  if (payload.iat !== undefined && payload.iat > nowSeconds + JWT_CLOCK_SKEW_SECONDS) return fail('jwt_not_yet_valid');
  if (payload.exp - (payload.iat ?? nowSeconds) > MAX_JWT_LIFETIME_SECONDS) return fail('jwt_lifetime');
  if (payload.aud !== undefined && (widgetKey === undefined || !(Array.isArray(payload.aud) ? payload.aud : [payload.aud]).includes(widgetKey)))
    return fail('jwt_audience');
  if (userId === undefined) return fail('jwt_malformed');
  const attributes: Partial<Record<SignedAttribute, string>> = {};
  for (const [attribute, limit] of Object.entries(ATTRIBUTE_LIMITS) as Array<[SignedAttribute, number]>) {
    const value: unknown = payload[attribute];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length > limit || !isAcceptedText(value)) return fail('jwt_malformed');
    attributes[attribute] = value;
  }
  return { verified: true, userId, secretVersion, attributes, verifiedUntil: (payload.exp + JWT_CLOCK_SKEW_SECONDS) * 1000 };
}
