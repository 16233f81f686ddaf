import { ClaimFailureReason } from './events/contact-anonymous.event';
import { InboundClaim } from './events/message-inbound.event';
import { isAcceptedText } from './text-rule';

/** The reasons a claim fails by its shape alone, before any secret is looked at. */
export type ClaimShapeFault = Extract<ClaimFailureReason, 'missing_hash' | 'missing_user_id' | 'malformed'>;
const SHAPE_FAULTS: readonly string[] = ['missing_hash', 'missing_user_id', 'malformed'] satisfies ClaimShapeFault[];

export type ClaimShape =
  | { fits: true; userId: string; userHash: string }
  /** `claimedUserId`: the named user id when it is safe to record (text, at most 255 characters). */
  | { fits: false; fault: ClaimShapeFault; claimedUserId?: string };

export type JwtShape = { fits: true; token: string } | { fits: false; fault: Extract<ClaimFailureReason, 'jwt_malformed'> };

const MAX_USER_ID_CHARACTERS = 255;
/** Far above a token with a 255-character sub, email and name; below what could weigh on the bus. */
export const MAX_JWT_CHARACTERS = 4096;
/** Compact JWS: three base64url parts; the signature may be empty (alg "none"), for the verifier to refuse by its algorithm. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/** A JSON integer as written: no fraction, no exponent (JSON allows no leading zeros). */
const JSON_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * A JSON.parse reviver for a body whose claim came as a number: a `user_id` written as a JSON integer is
 * read as its exact decimal string (as Ruby's to_s does), whatever its size, from its source text (Node 22+),
 * where no float64 has rounded 9007199254740993 to ...992. A number with a fraction or an exponent (42.0,
 * 1e3) stays a number, read by `userIdText` as before. Past 255 characters the id is malformed anyway:
 * left as the number, so no long digit run is converted.
 */
export function readIntegerUserId(key: string, value: unknown, context?: { source?: string }): unknown {
  const source = context?.source;
  if (key !== 'user_id' || typeof value !== 'number' || source === undefined || source.length > MAX_USER_ID_CHARACTERS || !JSON_INTEGER.test(source))
    return value;
  return BigInt(source).toString(); // "-0" is 0, as Ruby reads it
}

/**
 * A user id as the customer's server signed it: a string, or a JSON integer read as its decimal string
 * (as Ruby's to_s does). A number here is one `readIntegerUserId` left, or one from a JSON reader without
 * the source text: it counts only if it is a whole number below 2^53 (42.0 and 1e3 read as "42" and "1000").
 */
function userIdText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

/** Characters as the docs count them (code points). A string of at most 255 UTF-16 units is short enough without counting. */
const tooLong = (text: string) => text.length > MAX_USER_ID_CHARACTERS && [...text].length > MAX_USER_ID_CHARACTERS;

/** What may be recorded of a claimed id: its first 255 characters, and nothing of an id the database could not hold. */
function recordable(userId: string | undefined): string | undefined {
  if (!userId || !isAcceptedText(userId)) return undefined;
  return tooLong(userId) ? [...userId].slice(0, MAX_USER_ID_CHARACTERS).join('') : userId;
}

/** A JWT's `sub` as a user id, under the rules of `user_id`: the id, or the fault and what of it may be recorded. */
export function jwtSubject(sub: unknown): { userId: string; claimedUserId?: undefined } | { userId?: undefined; claimedUserId?: string } {
  const userId = userIdText(sub);
  if (userId === undefined || isAbsent(userId) || tooLong(userId) || !isAcceptedText(userId)) return { claimedUserId: recordable(userId) };
  return { userId };
}

/**
 * Could this claim verify at all (docs/api.md §1)? The one statement of a claim's shape: the
 * gateway reduces every claim with it, the verifier takes its fault as the failure reason. Never
 * throws. A claim the gateway already reduced carries its fault as `shape_fault`.
 */
export function claimShape(claim: InboundClaim | null | undefined): ClaimShape {
  const { user_id: rawUserId, user_hash: rawHash, shape_fault: reducedFault } = claim ?? {};
  const userId = userIdText(rawUserId);
  const fail = (fault: ClaimShapeFault): ClaimShape => ({ fits: false, fault, claimedUserId: recordable(userId) });

  if (typeof reducedFault === 'string' && SHAPE_FAULTS.includes(reducedFault)) return fail(reducedFault as ClaimShapeFault);
  if (isAbsent(rawHash)) return fail('missing_hash');
  if (isAbsent(rawUserId)) return fail('missing_user_id');
  if (userId === undefined || tooLong(userId) || !isAcceptedText(userId) || typeof rawHash !== 'string' || !HEX_DIGEST.test(rawHash)) return fail('malformed');
  return { fits: true, userId, userHash: rawHash };
}

/** Does the claim carry a `user_id`/`user_hash` pair (or what the gateway reduced it to)? */
export const carriesUserHash = (claim: InboundClaim): boolean =>
  claim.user_id !== undefined || claim.user_hash !== undefined || claim.shape_fault !== undefined;

/** Does the claim carry a `user_jwt` (or the fault the gateway reduced it to)? */
export const carriesJwt = (claim: InboundClaim): boolean => !isAbsent(claim.user_jwt) || claim.jwt_fault !== undefined;

/** Could this `user_jwt` be a token at all? Its signature and claims are the verifier's to judge. */
export function jwtShape(claim: InboundClaim): JwtShape {
  const { user_jwt: token, jwt_fault: reducedFault } = claim;
  if (reducedFault !== undefined || typeof token !== 'string' || token.length > MAX_JWT_CHARACTERS || !COMPACT_JWS.test(token))
    return { fits: false, fault: 'jwt_malformed' };
  return { fits: true, token };
}

/**
 * The claim as the gateway forwards it: only what could verify. A claim that fits goes on as its
 * id text and hash; one that cannot verify goes on as its fault and the id safe to record, so no
 * event carries a 100 KB array, an object or bytes the database refuses.
 */
export function reduceClaim(claim: InboundClaim): InboundClaim {
  const jwt = carriesJwt(claim) ? reduceJwt(claim) : {};
  if (!carriesUserHash(claim)) return jwt;
  const shape = claimShape(claim);
  if (shape.fits) return { user_id: shape.userId, user_hash: shape.userHash, ...jwt };
  return shape.claimedUserId === undefined ? { shape_fault: shape.fault, ...jwt } : { shape_fault: shape.fault, user_id: shape.claimedUserId, ...jwt };
}

function reduceJwt(claim: InboundClaim): InboundClaim {
  const shape = jwtShape(claim);
  return shape.fits ? { user_jwt: shape.token } : { jwt_fault: shape.fault };
}
