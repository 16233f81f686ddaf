import { IsInt, IsUUID, Min } from 'class-validator';
import { defineEvent } from '../event-contract';

export class WidgetSecretRotatedData {
  @IsUUID('all')
  workspace_id!: string;

  @IsUUID('all')
  widget_id!: string;

  /** The oldest version that still verifies (the new one after a rotate, the staged one after a retire); everything verified under an older one is void. */
  @IsInt()
  @Min(1)
  secret_version!: number;
}

/** gateway → every gateway instance: the widget's live streams verified under an older secret end and must verify again (after a rotate or a retire). */
export const WidgetSecretRotated = defineEvent('widget.secret.rotated', 1, WidgetSecretRotatedData);
