import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What one visitor (device) said to one contact's inbox thread on one widget. */
@Entity('conversations')
export class Conversation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid')
  contact_id!: string;

  @Column('uuid')
  widget_id!: string;

  @Column('uuid')
  visitor_id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;
}
