import { ClaimFailureReason, InboundClaim } from '@inviaro/contracts';
import { digestsMatch, userHash } from '@inviaro/crypto';

export type ClaimCheck =
  | { verified: true; userId: string }
  | { verified: false; reason: Exclude<ClaimFailureReason, 'stale_secret' | 'unknown_widget'>; claimedUserId?: string };

const MAX_USER_ID_CHARACTERS = 255;
const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/** A user id as the customer's server signed it: a string, or a JSON integer read as its decimal string (as Ruby's to_s does). */
function userIdText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

/**
 * Does this claim verify under this secret (CONTRACT.md §1)? The one place the rule lives. Never
 * throws: every wrong shape is a failed claim with its reason.
 */
export function checkClaim(claim: InboundClaim, widgetSecret: string): ClaimCheck {
  const userId = userIdText(claim.user_id);
  const claimedUserId = userId === undefined ? undefined : [...userId].slice(0, MAX_USER_ID_CHARACTERS).join('');
  const fail = (reason: Exclude<ClaimCheck, { verified: true }>['reason']): ClaimCheck => ({ verified: false, reason, claimedUserId: claimedUserId || undefined });

  if (isAbsent(claim.user_hash)) return fail('missing_hash');
  if (isAbsent(claim.user_id)) return fail('missing_user_id');
  if (userId === undefined || [...userId].length > MAX_USER_ID_CHARACTERS) return fail('malformed');
  if (typeof claim.user_hash !== 'string' || !HEX_DIGEST.test(claim.user_hash)) return fail('malformed');
  return digestsMatch(userHash(userId, widgetSecret), claim.user_hash) ? { verified: true, userId } : fail('mismatch');
}
