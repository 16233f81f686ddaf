import { ArrayMaxSize, IsArray, IsOptional, IsUUID, Matches } from 'class-validator';
import { createHash } from 'node:crypto';
import { defineEvent } from '../event-contract';
import { userKey } from '../user-key';

/**
 * An erased user as the tombstones and contact.erased name it: a digest, so that neither the
 * database's tombstone nor the event retained in the stream holds the user id it erased.
 */
export function erasedUserDigest(workspaceId: string, userId: string): string {
  return createHash('sha256').update(userKey(workspaceId, userId)).digest('hex');
}

export class ContactErasedData {
  @IsUUID('all')
  workspace_id!: string;

  /** The erased user (`erasedUserDigest`); absent when an anonymous contact was erased. */
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/)
  user_digest?: string;

  /** The devices whose conversations with the erased contacts went. */
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  visitor_ids!: string[];
}

/** contacts → every gateway instance: a contact was erased; the live streams of its user and its devices end (docs/security.md#erasure). */
export const ContactErased = defineEvent('contact.erased', 1, ContactErasedData);
