import { claimShape, ClaimShapeFault, InboundClaim } from '@inviaro/contracts';
import { digestsMatch, userHash } from '@inviaro/crypto';

/** The reasons a claim can fail on its own; stale_secret and unknown_widget need the widget's state. */
type ClaimCheckFailure = ClaimShapeFault | 'mismatch';

/** What checkClaim found (not the ClaimCheck request, whose answer is the contracts' ClaimCheckResult). */
export type ClaimVerdict = { verified: true; userId: string } | { verified: false; reason: ClaimCheckFailure; claimedUserId?: string };

/**
 * Does this claim verify under this secret (docs/api.md §1)? Its shape is judged by the
 * contracts' claimShape (the rule the gateway reduces claims with); here, only the digest. Never
 * throws. Whether there is a claim at all is the caller's call; a missing one reads here as a claim without a hash.
 */
export function checkClaim(claim: InboundClaim | null | undefined, widgetSecret: string): ClaimVerdict {
  const shape = claimShape(claim);
  if (!shape.fits) return { verified: false, reason: shape.fault, claimedUserId: shape.claimedUserId };
  return digestsMatch(userHash(shape.userId, widgetSecret), shape.userHash)
    ? { verified: true, userId: shape.userId }
    : { verified: false, reason: 'mismatch', claimedUserId: shape.userId };
}
