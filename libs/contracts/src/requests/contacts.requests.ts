import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min, ValidateIf } from 'class-validator';
import { ContactDetail, ContactHeld, Contacts, ConversationMessages, ErasedCounts, ReplyStored } from '../answers/admin-api.answers';
import { History } from '../answers/widget-api.answers';
import { defineRequest } from './request-contract';
import { OptionalText } from '../optional-text';

// The replies are the admin and widget APIs' answers, which the gateway passes on as they are.

export class HistoryRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  visitor_id!: string;

  /** Set only when the page's claim verifies now (the gateway asked the verifier). */
  @OptionalText(255)
  user_id?: string;

  /** The `next_cursor` of the previous page: messages older than it. */
  @OptionalText(200)
  before?: string;

  @IsInt()
  @Min(1)
  @Max(200)
  limit!: number;
}

/** gateway → contacts: what this visitor may see now (its own anonymous history, and the verified user's whole history). */
export const ContactsHistory = defineRequest<HistoryRequest, History>('contacts.history', HistoryRequest);

/** How many rows a page holds (or messages per conversation). */
class LimitedRequest {
  @IsInt()
  @Min(1)
  @Max(200)
  limit!: number;
}

/** A page that goes on from the `next_cursor` of the one before. */
class PageRequest extends LimitedRequest {
  @OptionalText(200)
  cursor?: string;
}

export class ListContactsRequest extends PageRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsOptional()
  @IsBoolean()
  verified?: boolean;

  @OptionalText(255)
  user_id?: string;

  /** Matched without regard to case. */
  @OptionalText(320)
  email?: string;
}

/** gateway → contacts: the inbox's contact list, newest activity first, retired (merged) contacts left out. */
export const ListContacts = defineRequest<ListContactsRequest, Contacts>('contacts.list', ListContactsRequest);

/** One contact of the workspace. */
export class ContactRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  contact_id!: string;
}

/** `limit`: messages per conversation, its newest ones. */
export class GetContactRequest extends ContactRequest {
  @IsInt()
  @Min(1)
  @Max(200)
  limit!: number;
}

/** gateway → contacts: one contact with its conversations and the newest page of each, or null outside the workspace. */
export const GetContact = defineRequest<GetContactRequest, ContactDetail | null>('contacts.get', GetContactRequest);

/** `cursor`: a conversation's `next_cursor` (or the previous page's), for messages older than it. */
export class ConversationMessagesRequest extends PageRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  conversation_id!: string;
}

/** gateway → contacts: a page of one conversation's messages, going back in time; null when the conversation is not in the workspace. */
export const ListConversationMessages = defineRequest<ConversationMessagesRequest, ConversationMessages | null>(
  'contacts.conversation.messages',
  ConversationMessagesRequest,
);

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
export const Reply = defineRequest<ReplyRequest, ReplyStored | null>('contacts.reply', ReplyRequest);

export class MessageLandingsRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsArray()
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  message_ids!: string[];
}

export interface MessageLanding {
  message_id: string;
  contact_id: string;
  conversation_id: string;
}

/** gateway → contacts: where these messages are now (their conversation and its contact, after any fold); a message not stored (yet) is left out. */
export const MessageLandings = defineRequest<MessageLandingsRequest, { landings: MessageLanding[] }>('contacts.landings', MessageLandingsRequest);

export class EraseContactRequest {
  @IsUUID('all')
  workspace_id!: string;

  /** The contact to erase; or, without it, the verified contact of `user_id`. */
  @ValidateIf((request: EraseContactRequest) => request.user_id === undefined)
  @IsUUID('all')
  contact_id?: string;

  @ValidateIf((request: EraseContactRequest) => request.contact_id === undefined)
  @IsString()
  @Length(1, 255)
  user_id?: string;
}

/** What the contacts service erased: its counts, and the user id whose failure records the gateway erases (null for an anonymous contact). */
export interface ContactsErased {
  user_id: string | null;
  erased: Omit<ErasedCounts, 'failure_records'>;
}

/**
 * gateway → contacts: erase a contact, the anonymous contacts folded into it, their conversations, messages and
 * timeline, and their copies in the event streams (docs/security.md#erasure); null when no contact has that id.
 * By `user_id` it always answers (a user never seen erases nothing, and its late events are dropped all the same).
 */
export const EraseContact = defineRequest<EraseContactRequest, ContactsErased | null>('contacts.erase', EraseContactRequest);

export class WidgetContactsRequest {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;
}

/** gateway → contacts: the contacts with a conversation on this widget (folded ones as the contact they were folded into), for erasing a widget's contacts. */
export const WidgetContacts = defineRequest<WidgetContactsRequest, { contact_ids: string[] }>('contacts.widget-contacts', WidgetContactsRequest);

/** gateway → contacts: everything the contacts service holds about one contact (the export), or null outside the workspace. */
export const ExportContact = defineRequest<ContactRequest, ContactHeld | null>('contacts.export', ContactRequest);
