import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person as the inbox sees them: either verified (`user_id` set) or the anonymous contact of one
 * visitor. An anonymous contact folded into a verified one is kept, pointing at it, for audit.
 */
@Entity('contacts')
export class Contact {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  workspace_id!: string;

  @Column('text', { nullable: true })
  user_id!: string | null;

  @Column('boolean', { default: false })
  is_verified!: boolean;

  /** The visitor whose anonymous contact this is; null for verified contacts. */
  @Column('uuid', { nullable: true })
  visitor_id!: string | null;

  @Column('uuid', { nullable: true })
  merged_into_id!: string | null;

  /** For a retired contact: when the verified event that closed its run was received. */
  @Column('timestamptz', { nullable: true })
  merged_at!: Date | null;

  /** For a retired contact: the message id of the verified event that closed its run. */
  @Column('uuid', { nullable: true })
  folded_by!: string | null;

  @Column('text', { nullable: true })
  email!: string | null;

  /** When the event that gave `email` was received: the latest one wins, whatever the delivery order. */
  @Column('timestamptz', { nullable: true })
  email_at!: Date | null;

  /** `email` came signed (a user_jwt): no unsigned value replaces it. */
  @Column('boolean', { default: false })
  email_verified!: boolean;

  @Column('text', { nullable: true })
  name!: string | null;

  @Column('timestamptz', { nullable: true })
  name_at!: Date | null;

  @Column('boolean', { default: false })
  name_verified!: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  last_seen_at!: Date;
}
