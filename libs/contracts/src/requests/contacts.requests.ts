import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { MessageAuthor } from '../events/message-stored.event';
import { defineRequest } from './request-contract';

export interface HistoryMessage {
  message_id: string;
  author: MessageAuthor;
  text: string;
  created_at: string;
}

export class HistoryRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  visitor_id!: string;

  /** Set only when the page's claim verifies now (the gateway asked the verifier). */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  user_id?: string;

  /** The `next_cursor` of the previous page: messages older than it. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  before?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  limit!: number;
}

export interface HistoryResult {
  contact: { is_verified: boolean };
  /** Oldest first: the newest page, or the page before `before`. */
  messages: HistoryMessage[];
  /** Pass as `before` for the page of older messages; null at the beginning. */
  next_cursor: string | null;
}

/** gateway → contacts: what this visitor may see now (its own anonymous history, and the verified user's whole history). */
export const ContactsHistory = defineRequest<HistoryRequest, HistoryResult>('contacts.history', HistoryRequest);

export interface ContactSummary {
  id: string;
  user_id: string | null;
  is_verified: boolean;
  email: string | null;
  /** `email` came signed in a user_jwt; false: self-reported (what the page said). */
  email_verified: boolean;
  name: string | null;
  /** `name` came signed in a user_jwt; false: self-reported. */
  name_verified: boolean;
  created_at: string;
  last_seen_at: string;
}

export class ListContactsRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsOptional()
  @IsBoolean()
  verified?: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  user_id?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  limit!: number;
}

/** gateway → contacts: the inbox's contact list, newest activity first, retired (merged) contacts left out. */
export const ListContacts = defineRequest<ListContactsRequest, { contacts: ContactSummary[]; next_cursor: string | null }>('contacts.list', ListContactsRequest);

export class GetContactRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  contact_id!: string;
}

export interface ContactDetail extends ContactSummary {
  conversations: Array<{ id: string; widget_id: string; created_at: string; messages: HistoryMessage[] }>;
}

/** gateway → contacts: one contact with its conversations and messages, or null outside the workspace. */
export const GetContact = defineRequest<GetContactRequest, ContactDetail | null>('contacts.get', GetContactRequest);

export class ReplyRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  conversation_id!: string;

  @IsString()
  @Length(1, 10_000)
  text!: string;
}

/** gateway → contacts: an operator's reply, stored and published as message.stored; null when the conversation is not in the workspace. */
export const Reply = defineRequest<ReplyRequest, { message_id: string } | null>('contacts.reply', ReplyRequest);
