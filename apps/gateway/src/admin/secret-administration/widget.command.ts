import { plainToInstance } from 'class-transformer';
import { IsUUID, validateSync } from 'class-validator';
import { ApiError } from '../../http/api-error';

/** Which widget a secret-administration use case acts on: one of the admin token's workspace. */
export class WidgetCommand {
  @IsUUID('all')
  workspaceId!: string;

  @IsUUID('all')
  widgetId!: string;

  /** The command, validated: a use case never runs on input its command refuses (400 `invalid_request`). */
  static create<C extends WidgetCommand>(this: new () => C, fields: { [K in keyof C]: C[K] }): C {
    const command = plainToInstance(this, fields);
    const [first] = validateSync(command);
    if (first) throw new ApiError(400, 'invalid_request', `${first.property}: ${Object.values(first.constraints ?? { invalid: 'is invalid' })[0]}`);
    return command;
  }
}
