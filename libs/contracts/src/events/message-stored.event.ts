import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { defineEvent } from '../event-contract';
import { OptionalText } from '../optional-text';

export const MESSAGE_AUTHORS = ['visitor', 'operator'] as const;
export type MessageAuthor = (typeof MESSAGE_AUTHORS)[number];

export class MessageStoredData {
  @IsUUID('all')
  message_id!: string;

  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  @IsUUID('all')
  contact_id!: string;

  @IsUUID('all')
  conversation_id!: string;

  /** The visitor (device) whose conversation it is in. */
  @IsOptional()
  @IsUUID('all')
  visitor_id?: string;

  /** The verified user whose contact it belongs to; absent for an anonymous contact. Routes live delivery. */
  @OptionalText(255)
  user_id?: string;

  @IsIn(MESSAGE_AUTHORS)
  author!: MessageAuthor;

  @IsString()
  @Length(1, 10_000)
  text!: string;

  @IsISO8601()
  created_at!: string;
}

/** contacts → gateway, ops: a message is in its conversation (for live delivery). */
export const MessageStored = defineEvent('message.stored', 1, MessageStoredData);
