import { IdentityPolicy } from '@inviaro/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A widget connection: what a customer embeds, named publicly by its key. */
@Entity('widgets')
export class Widget {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  workspace_id!: string;

  /** Public (`wt_...`): it sits in the customer's page. */
  @Column('text', { unique: true })
  key!: string;

  @Column('text')
  name!: string;

  /** Origins (scheme://host[:port]) the widget may be called from. */
  @Column('text', { array: true })
  allowed_origins!: string[];

  @Column('text', { default: 'user_hash' })
  identity_policy!: IdentityPolicy;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
