import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { IDENTITY_POLICIES, IdentityPolicy } from '@inviaro/contracts';
import { MultilineText } from '../http/accepted-text';

/** scheme://host[:port], as a browser sends it in the Origin header. */
const ORIGIN = /^https?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/;

export class CreateWidgetBody {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(ORIGIN, { each: true, message: 'allowed_origins must hold origins such as https://app.example.com (lowercase, no path)' })
  allowed_origins!: string[];
}

export class UpdateWidgetBody {
  @IsOptional()
  @IsIn(IDENTITY_POLICIES, { message: `identity_policy must be one of ${IDENTITY_POLICIES.join(', ')}` })
  identity_policy?: IdentityPolicy;

  /** Enforce mode (docs/identity-required.md). */
  @IsOptional()
  @IsBoolean()
  identity_required?: boolean;

  /** Shown by the widget in place of the composer while identity is required. */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  sign_in_prompt?: string;
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

/** `?since=` of the verification health report: hours or days back, e.g. `24h` (the default) or `7d`. */
export class VerificationHealthQuery {
  @IsOptional()
  @Matches(/^[1-9]\d{0,3}[hd]$/, { message: 'since must be a number of hours or days such as 24h or 7d' })
  since: string = '24h';
}
