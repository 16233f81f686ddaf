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
  /** Set by the gateway when the claim cannot verify by its shape: the reason, in place of the parts that could not verify. */
  shape_fault?: unknown;
}

export class MessageInboundData extends VisitorEventFields {
  @IsOptional()
  @IsObject()
  claim?: InboundClaim | null;
}

/** gateway → verifier: a widget event with its claim, reduced to what could verify. The only event that carries a user hash. */
export const MessageInbound = defineEvent('message.inbound', 1, MessageInboundData);
