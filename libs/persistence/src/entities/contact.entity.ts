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

  @Column('timestamptz', { nullable: true })
  merged_at!: Date | null;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  name!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  last_seen_at!: Date;
}
