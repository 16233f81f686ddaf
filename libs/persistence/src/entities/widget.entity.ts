import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Which claims a widget accepts (docs/identity-jwt.md): a user_hash, a user_jwt, or either. */
export const IDENTITY_POLICIES = ['user_hash', 'jwt', 'either'] as const;
export type IdentityPolicy = (typeof IDENTITY_POLICIES)[number];

/** The claim fields each policy verifies by, in the order it judges a claim that carries both. */
export const POLICY_CLAIMS: Record<IdentityPolicy, ReadonlyArray<'user_jwt' | 'user_hash'>> = {
  user_hash: ['user_hash'],
  jwt: ['user_jwt'],
  either: ['user_jwt', 'user_hash'],
};

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
