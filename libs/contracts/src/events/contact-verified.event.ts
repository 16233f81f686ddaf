import { IsInt, IsString, Length, Min } from 'class-validator';
import { defineEvent } from '../event-contract';
import { VisitorEventFields } from './visitor-event.fields';

export class ContactVerifiedData extends VisitorEventFields {
  @IsString()
  @Length(1, 255)
  user_id!: string;

  /** The widget secret version the claim verified under. */
  @IsInt()
  @Min(1)
  secret_version!: number;
}

/** verifier → contacts: the claim verified; the event belongs to the contact (workspace, user_id). */
export const ContactVerified = defineEvent('contact.verified', 1, ContactVerifiedData);
