import { ClaimFailureReason, InboundClaim } from '@inviaro/contracts';
import { counter, histogram, LATENCY_BUCKETS } from '@inviaro/observability';
import { Injectable } from '@nestjs/common';
import { WidgetSecrets } from '../secrets/widget-secrets';
import { checkClaim } from './claim-check';

export type Verdict =
  | { outcome: 'verified'; userId: string; secretVersion: number }
  | { outcome: 'anonymous' }
  | { outcome: 'failed'; reason: ClaimFailureReason; claimedUserId?: string };

/** Stands for the claim of an event whose sealed claim did not open (INVIARO_CLAIM_KEYS): a failed claim of its own reason. */
export const UNOPENABLE_CLAIM = Symbol('unopenable claim');
type ClaimInHand = InboundClaim | null | undefined | typeof UNOPENABLE_CLAIM;

const outcomes = counter('inviaro_claim_checks_total', 'Claim checks by outcome (verified, anonymous, failed) and failure reason', ['outcome', 'reason']);
const latency = histogram('inviaro_claim_check_seconds', 'Time to decide a claim, secret lookup included', [], LATENCY_BUCKETS);

/** Decides a widget event's claim against the widget's current secret (docs/api.md §1). */
@Injectable()
export class ClaimVerification {
  constructor(private readonly secrets: WidgetSecrets) {}

  async verify(widgetId: string, claim: ClaimInHand): Promise<Verdict> {
    const stopTimer = latency.startTimer();
    const verdict = await this.decide(widgetId, claim);
    stopTimer();
    outcomes.inc({ outcome: verdict.outcome, reason: verdict.outcome === 'failed' ? verdict.reason : '' });
    return verdict;
  }

  private async decide(widgetId: string, claim: ClaimInHand): Promise<Verdict> {
    if (!claim || (claim !== UNOPENABLE_CLAIM && claim.user_id === undefined && claim.user_hash === undefined && claim.shape_fault === undefined)) return { outcome: 'anonymous' };
    const versions = await this.secrets.of(widgetId);
    if (!versions) return { outcome: 'failed', reason: 'unknown_widget', claimedUserId: undefined };
    if (claim === UNOPENABLE_CLAIM) return { outcome: 'failed', reason: 'unopenable_claim', claimedUserId: undefined };
    const check = checkClaim(claim, versions.secret);
    if (check.verified) return { outcome: 'verified', userId: check.userId, secretVersion: versions.version };
    // A digest made with the secret just rotated away: the page was rendered before the rotation.
    const stale = check.reason === 'mismatch' && versions.previous !== undefined && checkClaim(claim, versions.previous).verified;
    return { outcome: 'failed', reason: stale ? 'stale_secret' : check.reason, claimedUserId: check.claimedUserId };
  }
}
