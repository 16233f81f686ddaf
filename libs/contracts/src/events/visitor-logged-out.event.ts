import { IsUUID } from 'class-validator';
import { defineEvent } from '../event-contract';

export class VisitorLoggedOutData {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  @IsUUID('all')
  visitor_id!: string;
}

/** gateway → every gateway instance: the visitor's token stopped working, so its live streams end wherever they are open. */
export const VisitorLoggedOut = defineEvent('visitor.logged_out', 1, VisitorLoggedOutData);
