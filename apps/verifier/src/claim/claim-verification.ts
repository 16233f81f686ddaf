import { carriesJwt, carriesUserHash, claimShape, ClaimFailureReason, InboundClaim, jwtShape, SignedAttribute } from '@inviaro/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { PreviousSecretUses, WidgetSecretVersions } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { WidgetSecrets } from '../secrets/widget-secrets';
import { checkClaim } from './claim-check';
import { checkJwt, JwtKeys } from './jwt-check';

export type Verdict =
  /** `attributes`: the email and name a user_jwt signed. */
  | { outcome: 'verified'; userId: string; secretVersion: number; attributes?: Partial<Record<SignedAttribute, string>> }
  | { outcome: 'anonymous' }
  | { outcome: 'failed'; reason: ClaimFailureReason; claimedUserId?: string };

/** Stands for the claim of an event whose sealed claim did not open (INVIARO_CLAIM_KEYS): a failed claim of its own reason. */
export const UNOPENABLE_CLAIM = Symbol('unopenable claim');
type ClaimInHand = InboundClaim | null | undefined | typeof UNOPENABLE_CLAIM;

const outcomes = counter('inviaro_claim_checks_total', 'Claim checks by outcome (verified, anonymous, failed) and failure reason', ['outcome', 'reason']);
const latency = histogram('inviaro_claim_check_seconds', 'Time to decide a claim, secret lookup included', [], LATENCY_BUCKETS);

/** The secrets that verify now (newest first) and the one just retired, as both kinds of claim are checked against them. */
function keysOf(versions: WidgetSecretVersions): JwtKeys {
  const previous = versions.previous === undefined ? undefined : { version: versions.version - 1, secret: versions.previous };
  const current = { version: versions.version, secret: versions.secret };
  return versions.previousLive && previous ? { live: [current, previous], widgetKey: versions.widgetKey } : { live: [current], retired: previous, widgetKey: versions.widgetKey };
}

/** Decides a widget event's claim against the widget's live secrets and identity policy (docs/api.md §1, docs/identity-jwt.md). */
@Injectable()
export class ClaimVerification {
  constructor(
    private readonly secrets: WidgetSecrets,
    private readonly previousUses: PreviousSecretUses,
  ) {}

  async verify(widgetId: string, claim: ClaimInHand): Promise<Verdict> {
    const stopTimer = latency.startTimer();
    const verdict = await this.decide(widgetId, claim);
    stopTimer();
    outcomes.inc({ outcome: verdict.outcome, reason: verdict.outcome === 'failed' ? verdict.reason : '' });
    return verdict;
  }

  private async decide(widgetId: string, claim: ClaimInHand): Promise<Verdict> {
    if (!claim || (claim !== UNOPENABLE_CLAIM && !carriesUserHash(claim) && !carriesJwt(claim))) return { outcome: 'anonymous' };
    const versions = await this.secrets.of(widgetId);
    if (!versions) return { outcome: 'failed', reason: 'unknown_widget', claimedUserId: undefined };
    if (claim === UNOPENABLE_CLAIM) return { outcome: 'failed', reason: 'unopenable_claim', claimedUserId: undefined };
    const keys = keysOf(versions);
    const verdict = this.byPolicy(versions.policy ?? 'user_hash', claim, keys);
    // Told to the admin before a retire: who still signs with the previous secret.
    if (verdict.outcome === 'verified' && verdict.secretVersion !== versions.version) await this.previousUses.count(widgetId, verdict.secretVersion).catch(() => undefined);
    return verdict;
  }

  /** `user_hash`: a pair only (a claim with both is judged by its pair); `jwt`: a token only; `either`: the token when there is one. */
  private byPolicy(policy: WidgetSecretVersions['policy'], claim: InboundClaim, keys: JwtKeys): Verdict {
    if (policy === 'user_hash') return carriesUserHash(claim) ? checkHash(claim, keys) : { outcome: 'failed', reason: 'policy_requires_user_hash' };
    if (carriesJwt(claim)) return checkToken(claim, keys);
    if (policy === 'jwt') {
      const shape = claimShape(claim);
      return { outcome: 'failed', reason: 'policy_requires_jwt', claimedUserId: shape.fits ? shape.userId : shape.claimedUserId };
    }
    return checkHash(claim, keys);
  }
}

function checkHash(claim: InboundClaim, keys: JwtKeys): Verdict {
  const [current, ...others] = keys.live;
  const check = checkClaim(claim, current.secret);
  if (check.verified) return { outcome: 'verified', userId: check.userId, secretVersion: current.version };
  if (check.reason !== 'mismatch') return { outcome: 'failed', reason: check.reason, claimedUserId: check.claimedUserId };
  // A staged rotation: the previous secret verifies too.
  for (const key of others) {
    const underOther = checkClaim(claim, key.secret);
    if (underOther.verified) return { outcome: 'verified', userId: underOther.userId, secretVersion: key.version };
  }
  // A digest made with the secret just rotated away: the page was rendered before the rotation.
  const stale = keys.retired !== undefined && checkClaim(claim, keys.retired.secret).verified;
  return { outcome: 'failed', reason: stale ? 'stale_secret' : 'mismatch', claimedUserId: check.claimedUserId };
}

function checkToken(claim: InboundClaim, keys: JwtKeys): Verdict {
  const shape = jwtShape(claim);
  if (!shape.fits) return { outcome: 'failed', reason: shape.fault };
  const check = checkJwt(shape.token, keys);
  if (!check.verified) return { outcome: 'failed', reason: check.reason, claimedUserId: check.claimedUserId };
  return { outcome: 'verified', userId: check.userId, secretVersion: check.secretVersion, attributes: check.attributes };
}
