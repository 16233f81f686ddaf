import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { ADMIN_ROLES, AdminRole, AUDIT_ACTION_NAMES, AuditAction, IDENTITY_POLICIES, IdentityPolicy } from '@inviaro/contracts';
import { MultilineText } from '../http/accepted-text';

/** scheme://host[:port], as a browser sends it in the Origin header. */
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;

/** A widget's name and allowed origins: the same rules on create and on update. */
class WidgetFields {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(ORIGIN, { each: true, message: 'allowed_origins must hold origins such as https://app.example.com (lowercase, no path)' })
  allowed_origins!: string[];
}

export class CreateWidgetBody extends WidgetFields {}

/** Any of the widget's settings; a field left out keeps its value (a field this route does not know is a 400: see OnlyKnownFields). */
export class UpdateWidgetBody extends PartialType(WidgetFields) {
  @IsOptional()
  @IsIn(IDENTITY_POLICIES, { message: `identity_policy must be one of ${IDENTITY_POLICIES.join(', ')}` })
  identity_policy?: IdentityPolicy;
}

export class CreateTokenBody {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsIn(ADMIN_ROLES, { message: `role must be one of ${ADMIN_ROLES.join(', ')}` })
  role!: AdminRole;
}

/** `?cursor=` (the previous page's `next_cursor`) and `?limit=`. */
class PageQuery {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}

export class ListFailuresQuery extends PageQuery {
  @IsOptional()
  @IsUUID('all')
  widget_id?: string;

  /** Every row of this claimed user id, also one folded into a visitor's row. */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  user_id?: string;
}

export class ListContactsQuery extends PageQuery {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'verified must be true or false' })
  verified?: boolean;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  user_id?: string;
}

export class ReplyBody {
  @IsString()
  @Length(1, 10_000)
  @MultilineText()
  text!: string;
}

export class ListAuditQuery extends PageQuery {
  @IsOptional()
  @IsIn(AUDIT_ACTION_NAMES, { message: `action must be one of ${AUDIT_ACTION_NAMES.join(', ')}` })
  action?: AuditAction;

  @IsOptional()
  @IsUUID('all')
  token_id?: string;

  /** The widget, token or contact id an entry names. */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  target_id?: string;

  /** Entries at or after this time (ISO 8601). */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'since must be an ISO 8601 time' })
  since?: Date;
}
