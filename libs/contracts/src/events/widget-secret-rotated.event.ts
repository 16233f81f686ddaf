import { IsInt, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../event-contract';

export class WidgetSecretRotatedData {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  /** The version now current; everything verified under an older one is void. */
  @IsInt()
  @Min(1)
  secret_version!: number;
}

/** gateway → every gateway instance: the widget's verified live streams end (they verified under the old secret) and must verify again. */
export const WidgetSecretRotated = defineEvent('widget.secret.rotated', 1, WidgetSecretRotatedData);
