import { ClaimFailureReason, InboundClaim } from '@inviaro/contracts';
import { digestsMatch, isHexDigest, userHash } from '@inviaro/crypto';

/** The reasons a claim can fail on its own; stale_secret and unknown_widget need the widget's state. */
type ClaimShapeFailure = Exclude<ClaimFailureReason, 'stale_secret' | 'unknown_widget'>;

export type ClaimCheck = { verified: true; userId: string } | { verified: false; reason: ClaimShapeFailure; claimedUserId?: string };

const MAX_USER_ID_CHARACTERS = 255;

/** A user id as the customer's server signed it: a string, or a JSON integer read as its decimal string (as Ruby's to_s does). */
function userIdText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

const isAbsent = (value: unknown) => value === undefined || value === null || value === '';

/** Characters as the docs count them (code points). A string of at most 255 UTF-16 units is short enough without counting. */
const tooLong = (text: string) => text.length > MAX_USER_ID_CHARACTERS && [...text].length > MAX_USER_ID_CHARACTERS;

/**
 * Does this claim verify under this secret (docs/api.md §1)? The one place the rule lives. Never
 * throws: every wrong shape is a failed claim with its reason. Whether there is a claim at all is
 * the caller's call; a missing one reads here as a claim without a hash.
 */
export function checkClaim(claim: InboundClaim | null | undefined, widgetSecret: string): ClaimCheck {
  const { user_id: rawUserId, user_hash: rawHash } = claim ?? {};
  const userId = userIdText(rawUserId);
  const claimedUserId = userId !== undefined && tooLong(userId) ? [...userId].slice(0, MAX_USER_ID_CHARACTERS).join('') : userId;
  const fail = (reason: ClaimShapeFailure): ClaimCheck => ({ verified: false, reason, claimedUserId: claimedUserId || undefined });

  if (isAbsent(rawHash)) return fail('missing_hash');
  if (isAbsent(rawUserId)) return fail('missing_user_id');
  if (userId === undefined || tooLong(userId) || !isHexDigest(rawHash)) return fail('malformed');
  return digestsMatch(userHash(userId, widgetSecret), rawHash) ? { verified: true, userId } : fail('mismatch');
}
