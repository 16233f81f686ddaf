import { IsObject, IsOptional, IsUUID } from 'class-validator';
import { ClaimCheckAnswer } from '../answers/admin-api.answers';
import { ClaimFailureReason } from '../events/contact-anonymous.event';
import { InboundClaim } from '../events/message-inbound.event';
import { defineRequest } from './request-contract';

export class ClaimCheckRequest {
  @IsUUID('all')
  widget_id!: string;

  @IsOptional()
  @IsObject()
  claim?: InboundClaim | null;
}

/** The field of a claim that verified it: a claim carrying both is judged by one, as the widget's identity policy says. */
export type ClaimKind = 'user_hash' | 'user_jwt';

export interface ClaimCheckResult {
  verified: boolean;
  user_id?: string;
  /** With a verified claim: the widget secret version it verified under (a live stream lasts while that version verifies). */
  secret_version?: number;
  /** With a verified claim: which field verified it (a live stream lasts while the widget's policy admits that kind). */
  verified_by?: ClaimKind;
  /** With a verified user_jwt: when it stops verifying (its `exp` and the clock skew allowed), ISO 8601; a user_hash never expires. */
  verified_until?: string;
  /** Why a claim failed; absent when there was no claim. */
  reason?: ClaimFailureReason;
}

/** gateway → verifier: does this claim verify now, under the widget's current secret? (history reads) */
export const ClaimCheck = defineRequest<ClaimCheckRequest, ClaimCheckResult>('verifier.claim.check', ClaimCheckRequest);

/**
 * gateway → verifier: an admin's claim check (`POST /v1/admin/widgets/{id}/claim-check`): the verdict the
 * verifier's decision gives now, with a hint; nothing recorded or counted. Null: no such widget.
 */
export const DiagnoseClaim = defineRequest<ClaimCheckRequest, ClaimCheckAnswer | null>('verifier.claim.diagnose', ClaimCheckRequest);
