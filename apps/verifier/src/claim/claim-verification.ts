import {
  carriesJwt,
  carriesUserHash,
  claimShape,
  ClaimFailureReason,
  ClaimKind,
  InboundClaim,
  jwtShape,
  POLICY_CLAIMS,
  SignedAttribute,
} from '@inviaro/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { PreviousSecretUses, WidgetSecretVersions } from '@inviaro/widget-secrets';
import { Injectable } from '@nestjs/common';
import { WidgetSecrets } from '../secrets/widget-secrets';
import { checkClaim } from './claim-check';
import { checkJwt, JwtKeys } from './jwt-check';

export type Verdict =
  /** `attributes`: the email and name a user_jwt signed; `verifiedUntil` (ms since the epoch): when a user_jwt stops verifying. */
  | { outcome: 'verified'; userId: string; secretVersion: number; by: ClaimKind; attributes?: Partial<Record<SignedAttribute, string>>; verifiedUntil?: number }
  | { outcome: 'anonymous' }
  | { outcome: 'failed'; reason: ClaimFailureReason; claimedUserId?: string };

/** Stands for the claim of an event whose sealed claim did not open (INVIARO_CLAIM_KEYS): a failed claim of its own reason. */
export const UNOPENABLE_CLAIM = Symbol('unopenable claim');
type ClaimInHand = InboundClaim | null | undefined | typeof UNOPENABLE_CLAIM;

const outcomes = counter('inviaro_claim_checks_total', 'Claim checks by outcome (verified, anonymous, failed) and failure reason', ['outcome', 'reason']);
const latency = histogram('inviaro_claim_check_seconds', 'Time to decide a claim, secret lookup included', [], LATENCY_BUCKETS);

/** The secrets that verify now (newest first) and the one just retired, as both kinds of claim are checked against them. */
export function keysOf(versions: WidgetSecretVersions): JwtKeys {
  const previous = versions.previous === undefined ? undefined : { version: versions.version - 1, secret: versions.previous };
  const current = { version: versions.version, secret: versions.secret };
  return versions.previousLive && previous
    ? { live: [current, previous], widgetKey: versions.widgetKey }
    : { live: [current], retired: previous, widgetKey: versions.widgetKey };
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
    const verdict = verdictUnder(versions, claim);
    // Told to the admin before a retire: who still signs with the previous secret.
    if (verdict.outcome === 'verified' && verdict.secretVersion !== versions.version)
      await this.previousUses.count(widgetId, verdict.secretVersion).catch(() => undefined);
    return verdict;
  }
}

/**
 * The decision itself: a claim against a widget's secrets and identity policy, with no side effect. What
 * every widget event gets (ClaimVerification) and what an admin's claim check reports (claim-diagnosis.ts).
 */
export function verdictUnder(versions: WidgetSecretVersions, claim: InboundClaim): Verdict {
  return byPolicy(versions.policy ?? 'user_hash', claim, keysOf(versions));
}

/** By the first field the policy admits that the claim carries (POLICY_CLAIMS): `user_hash` a pair, `jwt` a token, `either` the token when there is one. */
function byPolicy(policy: NonNullable<WidgetSecretVersions['policy']>, claim: InboundClaim, keys: JwtKeys): Verdict {
  const admitted = POLICY_CLAIMS[policy];
  const by = admitted.find((kind) => (kind === 'user_jwt' ? carriesJwt(claim) : carriesUserHash(claim)));
  if (by === 'user_jwt') return checkToken(claim, keys);
  if (by === 'user_hash') return checkHash(claim, keys);
  // The claim carries nothing the policy admits: the failure names what it wants.
  if (policy !== 'jwt') return { outcome: 'failed', reason: 'policy_requires_user_hash' };
  const shape = claimShape(claim);
  return { outcome: 'failed', reason: 'policy_requires_jwt', claimedUserId: shape.fits ? shape.userId : shape.claimedUserId };
}

function checkHash(claim: InboundClaim, keys: JwtKeys): Verdict {
  const [current, ...others] = keys.live;
  const check = checkClaim(claim, current.secret);
  if (check.verified) return { outcome: 'verified', userId: check.userId, secretVersion: current.version, by: 'user_hash' };
  if (check.reason !== 'mismatch') return { outcome: 'failed', reason: check.reason, claimedUserId: check.claimedUserId };
  // A staged rotation: the previous secret verifies too.
  for (const key of others) {
    const underOther = checkClaim(claim, key.secret);
    if (underOther.verified) return { outcome: 'verified', userId: underOther.userId, secretVersion: key.version, by: 'user_hash' };
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
  return {
    outcome: 'verified',
    userId: check.userId,
    secretVersion: check.secretVersion,
    by: 'user_jwt',
    attributes: check.attributes,
    verifiedUntil: check.verifiedUntil,
  };
}
