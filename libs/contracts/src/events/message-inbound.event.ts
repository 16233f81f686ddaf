import { IsObject, IsOptional } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VisitorEventFields } from './visitor-event.fields';

/**
 * The claim exactly as the widget sent it. Its fields are deliberately untyped: a claim of the
 * wrong shape is a failed claim for the verifier to record, not an invalid event.
 */
export interface InboundClaim {
  user_id?: unknown;
  user_hash?: unknown;
}

export class MessageInboundData extends VisitorEventFields {
  @IsOptional()
  @IsObject()
  claim?: InboundClaim | null;
}

/** gateway → verifier: a widget event with its claim, as received. The only event that carries a user hash. */
export const MessageInbound = defineEvent('message.inbound', 1, MessageInboundData);
