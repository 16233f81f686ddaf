import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { WidgetCommand } from '../widget.command';

/** Enforce mode's two settings; either may be left as it is. */
export class SetIdentityRequirementCommand extends WidgetCommand {
  @IsOptional()
  @IsBoolean()
  identityRequired?: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  signInPrompt?: string;
}
