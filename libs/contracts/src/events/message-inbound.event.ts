import { IsObject, IsOptional } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VisitorEventFields } from './visitor-event.fields';

/**
 * The widget's claim, as the gateway reduced it (claim-shape.ts). Its fields are deliberately
 * untyped: a claim of the wrong shape is a failed claim for the verifier to record, not an invalid event.
 */
export interface InboundClaim {
  user_id?: unknown;
  user_hash?: unknown;
  /** A compact JWS (HS256) signing `sub` and maybe `email` and `name`; when present, the claim is this token and user_id/user_hash are not looked at. */
  user_jwt?: unknown;
  /** Set by the gateway in place of a `user_jwt` that cannot be a token: `jwt_malformed`. */
  jwt_fault?: unknown;
  /** Set by the gateway when the claim cannot verify by its shape: the reason, in place of the parts that could not verify. */
  shape_fault?: unknown;
}

export class MessageInboundData extends VisitorEventFields {
  /**
   * The InboundClaim sealed by the gateway (`sealClaim` in @inviaro/crypto: AES-256-GCM under
   * INVIARO_CLAIM_KEYS, bound to this event's id, widget and visitor); null or absent: no claim.
   * Untyped for the same reason as the claim: a seal that does not open is a failed claim, not an invalid event.
   */
  @IsOptional()
  @IsObject()
  sealed_claim?: object | null;
}

/**
 * gateway → verifier: a widget event with its claim, reduced to what could verify, then sealed.
 * The only event that carries a claim. Version 2: the claim travels sealed (version 1 carried it
 * in plaintext as `claim`).
 */
export const MessageInbound = defineEvent('message.inbound', 2, MessageInboundData);
