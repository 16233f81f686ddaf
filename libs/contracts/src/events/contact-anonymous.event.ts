import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VisitorEventFields } from './visitor-event.fields';

/**
 * `unopenable_claim`: the sealed claim of message.inbound did not open (a claim key missing from the verifier's ring, or bytes altered on the bus).
 * `jwt_*`: a `user_jwt` that is not a token (`jwt_malformed`), not HS256 (`jwt_algorithm`), names no live key (`jwt_unknown_key`), does not verify
 * (`jwt_signature`), is past its `exp` (`jwt_expired`), before its `nbf`/`iat` (`jwt_not_yet_valid`), lives longer than allowed or has no `exp`
 * (`jwt_lifetime`), or is for another widget (`jwt_audience`). `policy_*`: the widget's identity policy refuses this kind of claim (docs/identity-jwt.md).
 */
export const CLAIM_FAILURE_REASONS = [
  'missing_hash',
  'missing_user_id',
  'malformed',
  'mismatch',
  'stale_secret',
  'unknown_widget',
  'unopenable_claim',
  'jwt_malformed',
  'jwt_algorithm',
  'jwt_unknown_key',
  'jwt_signature',
  'jwt_expired',
  'jwt_not_yet_valid',
  'jwt_lifetime',
  'jwt_audience',
  'policy_requires_jwt',
  'policy_requires_user_hash',
] as const;
export type ClaimFailureReason = (typeof CLAIM_FAILURE_REASONS)[number];

export class ContactAnonymousData extends VisitorEventFields {
  /** Absent when the event carried no claim at all. */
  @IsOptional()
  @IsIn(CLAIM_FAILURE_REASONS)
  failure_reason?: ClaimFailureReason;

  /** The user id the failed claim named, when it named one as text. Never an identity. */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  claimed_user_id?: string;
}

/** verifier → contacts: no claim, or the claim failed; the event belongs to the visitor's anonymous contact. */
export const ContactAnonymous = defineEvent('contact.anonymous', 1, ContactAnonymousData);
