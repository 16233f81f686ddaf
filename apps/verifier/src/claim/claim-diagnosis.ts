import { ClaimCheckAnswer, claimShape, ClaimFailureReason, InboundClaim, jwtShape } from '@inviaro/contracts';
import { digestsMatch, hmacSha256, userHash } from '@inviaro/crypto';
import { WidgetSecretVersions } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { decode, verify } from 'jsonwebtoken';
import { WidgetSecrets } from '../secrets/widget-secrets';
import { keysOf, verdictUnder } from './claim-verification';
import { JWT_CLOCK_SKEW_SECONDS, LiveSecret, MAX_JWT_LIFETIME_SECONDS } from './jwt-check';

type Hint = Pick<ClaimCheckAnswer, 'hint' | 'explanation'> & { secret_version?: number };

const iso = (seconds: unknown) => (typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : String(seconds));
const versionsOf = (secrets: LiveSecret[]) => secrets.map((key) => `v${key.version}`).join(', ');

/**
 * An admin's claim check (`POST /v1/admin/widgets/{id}/claim-check`): the verdict is verdictUnder's, the
 * decision every widget event gets, so the two cannot disagree; nothing is recorded, counted or logged.
 * A failure comes with what most likely went wrong, found by trying the usual mistakes against the
 * widget's secrets. Never repeats the hash, the token or a secret.
 */
@Injectable()
export class ClaimDiagnosis {
  constructor(private readonly secrets: WidgetSecrets) {}

  async diagnose(widgetId: string, claim: InboundClaim): Promise<ClaimCheckAnswer | null> {
    const versions = await this.secrets.of(widgetId);
    if (!versions) return null;
    const verdict = verdictUnder(versions, claim);
    if (verdict.outcome === 'verified') return { verdict: 'verified', reason: null, hint: null, explanation: null, secret_version: verdict.secretVersion };
    const reason = verdict.outcome === 'failed' ? verdict.reason : 'missing_hash';
    const { secret_version, ...hint } = hintFor(reason, claim, versions);
    return { verdict: 'failed', reason, ...hint, secret_version: secret_version ?? null };
  }
}

function hintFor(reason: ClaimFailureReason, claim: InboundClaim, versions: WidgetSecretVersions): Hint {
  const keys = keysOf(versions);
  if (reason === 'mismatch') return mismatchHint(claim, keys.live);
  if (reason === 'stale_secret' && keys.retired)
    return {
      hint: 'previous_secret',
      explanation: `made with secret v${keys.retired.version}, which a rotation replaced: sign with the current secret (v${versions.version})`,
      secret_version: keys.retired.version,
    };
  if (reason.startsWith('jwt_')) return tokenHint(reason, claim, keys.live, keys.widgetKey);
  if (reason === 'policy_requires_jwt') return { hint: reason, explanation: 'the widget’s identity policy is jwt: send a user_jwt' };
  if (reason === 'policy_requires_user_hash') return { hint: reason, explanation: 'the widget’s identity policy is user_hash: send user_id and user_hash' };
  return { hint: null, explanation: SHAPE_EXPLANATIONS[reason] ?? null };
}

const SHAPE_EXPLANATIONS: Partial<Record<ClaimFailureReason, string>> = {
  missing_hash: 'a user_id without a user_hash',
  missing_user_id: 'a user_hash without a user_id',
  malformed: 'user_id must be 1 to 255 characters of text (or a whole number), user_hash 64 hex characters',
};

/** A digest of the right shape that no live secret gives: try the usual mistakes with each live secret. */
function mismatchHint(claim: InboundClaim, live: LiveSecret[]): Hint {
  const shape = claimShape(claim);
  if (!shape.fits) return { hint: null, explanation: null };
  const { userId, userHash: given } = shape;
  const decodedKey = live.find((key) => digestsMatch(hmacSha256(Buffer.from(key.secret, 'hex'), Buffer.from(userId, 'utf8')).toString('hex'), given));
  if (decodedKey)
    return {
      hint: 'hex_decoded_key',
      explanation: `made with the secret’s hex-decoded bytes (v${decodedKey.version}); the key is the secret’s text, its 64 characters as UTF-8`,
    };
  if (userId.trim() !== userId) {
    const trimmed = live.some((key) => digestsMatch(userHash(userId.trim(), key.secret), given));
    return {
      hint: 'whitespace_in_user_id',
      explanation: trimmed
        ? 'the digest is of the user id without its leading or trailing whitespace: send the id exactly as signed'
        : 'the user id has leading or trailing whitespace: the digest must be of exactly the id sent',
    };
  }
  return { hint: null, explanation: `the digest is of another user id, or made with another key than the secret (${versionsOf(live)})` };
}

/** A token's failing check in words, from its unverified header and payload (never the token itself). */
function tokenHint(reason: ClaimFailureReason, claim: InboundClaim, live: LiveSecret[], widgetKey: string | undefined): Hint {
  const shape = jwtShape(claim);
  const decoded = shape.fits ? decode(shape.token, { complete: true, json: true }) : null;
  const payload = decoded && typeof decoded.payload === 'object' ? decoded.payload : {};
  const now = `the server’s clock reads ${new Date().toISOString()} (${JWT_CLOCK_SKEW_SECONDS} s of skew allowed)`;
  const words: Partial<Record<ClaimFailureReason, string>> = {
    jwt_malformed: 'not a compact JWS with a JSON payload and a string `sub` of 1 to 255 characters',
    jwt_algorithm: `its alg is ${String(decoded?.header.alg)}: only HS256 verifies`,
    jwt_unknown_key: `its kid ${String(decoded?.header.kid)} names no live secret (live: ${versionsOf(live)})`,
    jwt_signature: `its signature verifies under no live secret (${versionsOf(live)})`,
    jwt_expired: `it expired at ${iso(payload.exp)}; ${now}`,
    jwt_not_yet_valid: `it is valid from ${iso(payload.nbf ?? payload.iat)}; ${now}`,
    jwt_lifetime: `exp must be set and at most ${MAX_JWT_LIFETIME_SECONDS / 3600} h after iat (exp ${iso(payload.exp)}, iat ${iso(payload.iat)})`,
    jwt_audience: `its aud ${JSON.stringify(payload.aud)} is not this widget’s key ${String(widgetKey)}`,
  };
  if (reason === 'jwt_signature' && shape.fits && live.some((key) => signedWith(shape.token, Buffer.from(key.secret, 'hex'))))
    return { hint: 'hex_decoded_key', explanation: 'signed with the secret’s hex-decoded bytes; the key is the secret’s text, its 64 characters as UTF-8' };
  return { hint: reason, explanation: words[reason] ?? null };
}

function signedWith(token: string, key: Buffer): boolean {
  try {
    verify(token, key, { algorithms: ['HS256'], ignoreExpiration: true, ignoreNotBefore: true });
    return true;
  } catch {
    return false;
  }
}
