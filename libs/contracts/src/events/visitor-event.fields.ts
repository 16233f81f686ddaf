import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, MaxLength, ValidateIf } from 'class-validator';

const VISITOR_EVENT_KINDS = ['message', 'identify'] as const;
export type VisitorEventKind = (typeof VISITOR_EVENT_KINDS)[number];

/** Decorators applied as if written one above the other on the property, in this order. */
function stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => [...decorators].reverse().forEach((decorate) => decorate(target, key));
}

/** The email a widget call may give, the same rule at the gateway and on the events. */
export const VisitorEmail = (): PropertyDecorator => stacked(IsOptional(), IsString(), MaxLength(320));

/** The name a widget call may give, the same rule at the gateway and on the events. */
export const VisitorName = (): PropertyDecorator => stacked(IsOptional(), IsString(), MaxLength(255));

/** Which visitor of which widget (and workspace) an event is about. */
export class VisitorOfWidget {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  @IsUUID('all')
  visitor_id!: string;
}

/**
 * What a widget call says, carried unchanged from message.inbound to contact.verified or
 * contact.anonymous. The claim itself is not here: only message.inbound carries it.
 */
export class VisitorEventFields extends VisitorOfWidget {
  @IsIn(VISITOR_EVENT_KINDS)
  kind!: VisitorEventKind;

  /** The stored message's id; for an identify call, that call's own id. */
  @IsUUID('all')
  message_id!: string;

  @ValidateIf((event: VisitorEventFields) => event.kind === 'message')
  @IsString()
  @Length(1, 10_000)
  text?: string;

  @VisitorEmail()
  email?: string;

  @VisitorName()
  name?: string;

  @IsISO8601()
  received_at!: string;
}
