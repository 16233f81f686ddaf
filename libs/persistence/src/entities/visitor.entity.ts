import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One browser (or device) on one widget, known by the token it holds. */
@Entity('visitors')
export class Visitor {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  widget_id!: string;

  /** SHA-256 of the visitor token; the token itself is never stored. */
  @Column('bytea', { unique: true })
  token_hash!: Buffer;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  /** Set on logout: the token no longer works. */
  @Column('timestamptz', { nullable: true })
  logged_out_at!: Date | null;
}
