import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';

export const VISITOR_EVENT_KINDS = ['message', 'identify'] as const;
export type VisitorEventKind = (typeof VISITOR_EVENT_KINDS)[number];

/**
 * What a widget call says, carried unchanged from message.inbound to contact.verified or
 * contact.anonymous. The claim itself is not here: only message.inbound carries it.
 */
export class VisitorEventFields {
  @IsIn(VISITOR_EVENT_KINDS)
  kind!: VisitorEventKind;

  /** The stored message's id; for an identify call, that call's own id. */
  @IsUUID('all')
  message_id!: string;

  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  @IsUUID('all')
  visitor_id!: string;

  @ValidateIf((event: VisitorEventFields) => event.kind === 'message')
  @IsString()
  @Length(1, 10_000)
  text?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;

  @IsISO8601()
  received_at!: string;
}
