import { IsString, IsUUID, Length } from 'class-validator';
import { defineEvent } from '../event-contract';

export class ContactFoldedData {
  @IsUUID('all')
  workspace_id!: string;

  @IsString()
  @Length(1, 255)
  user_id!: string;

  /** The anonymous contact, now retired as merged. */
  @IsUUID('all')
  from_contact_id!: string;

  @IsUUID('all')
  into_contact_id!: string;

  @IsUUID('all')
  visitor_id!: string;
}

/** contacts → gateway, ops: an anonymous contact was folded into a verified one. */
export const ContactFolded = defineEvent('contact.folded', 1, ContactFoldedData);
