import { ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VisitorEventFields } from './visitor-event.fields';

export const SIGNED_ATTRIBUTES = ['email', 'name'] as const;
export type SignedAttribute = (typeof SIGNED_ATTRIBUTES)[number];

export class ContactVerifiedData extends VisitorEventFields {
  @IsString()
  @Length(1, 255)
  user_id!: string;

  /** The widget secret version the claim verified under. */
  @IsInt()
  @Min(1)
  secret_version!: number;

  /** Which of this event's `email` and `name` came signed (in a `user_jwt`); absent or empty: both are what the page said. */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(SIGNED_ATTRIBUTES, { each: true })
  signed_attributes?: SignedAttribute[];
}

/** verifier → contacts: the claim verified; the event belongs to the contact (workspace, user_id). */
export const ContactVerified = defineEvent('contact.verified', 1, ContactVerifiedData);
