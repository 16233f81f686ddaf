import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('messages')
export class Message {
  /** The id the gateway answered with; a redelivered event finds it taken and stores nothing. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  conversation_id!: string;

  @Column('text')
  author!: 'visitor' | 'operator';

  @Column('text')
  text!: string;

  @Column('timestamptz')
  created_at!: Date;
}
