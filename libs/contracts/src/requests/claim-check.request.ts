import { IsObject, IsOptional, IsUUID } from 'class-validator';
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

export interface ClaimCheckResult {
  verified: boolean;
  user_id?: string;
  /** With a verified claim: the widget secret version it verified under (a live stream lasts while that version verifies). */
  secret_version?: number;
  /** Why a claim failed; absent when there was no claim. */
  reason?: ClaimFailureReason;
}

/** gateway → verifier: does this claim verify now, under the widget's current secret? (history reads) */
export const ClaimCheck = defineRequest<ClaimCheckRequest, ClaimCheckResult>('verifier.claim.check', ClaimCheckRequest);
