import { applyDecorators } from '@nestjs/common';
import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsDate, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import {
  ADMIN_ROLES,
  AdminRole,
  AUDIT_ACTION_NAMES,
  AuditAction,
  CLAIM_FAILURE_REASONS,
  ClaimFailureReason,
  IDENTITY_POLICIES,
  IdentityPolicy,
  OptionalText,
} from '@inviaro/contracts';
import { MultilineText } from '../http/accepted-text';
import { WithPageClaim } from '../http/page-claim';

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

  /** Enforce mode (docs/identity-required.md). */
  @IsOptional()
  @IsBoolean()
  identity_required?: boolean;

  /** Shown by the widget in place of the composer while identity is required. */
  @OptionalText(500)
  sign_in_prompt?: string;
}

export class CreateTokenBody {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsIn(ADMIN_ROLES, { message: `role must be one of ${ADMIN_ROLES.join(', ')}` })
  role!: AdminRole;
}

const DURATION_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** `?since=`: a duration back from now (`30m`, `2h`, `7d`) or an ISO 8601 time with its zone; anything else stays as sent, for the validator to name. */
function sinceTime(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const [, amount, unit] = /^(\d{1,6})([mhd])$/.exec(value) ?? [];
  if (amount !== undefined && unit !== undefined) return new Date(Date.now() - Number(amount) * DURATION_UNIT_MS[unit]!);
  const time = ISO_TIME.test(value) ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : value;
}

/** `?since=` as sinceTime reads it. */
const Since = () =>
  applyDecorators(
    IsOptional(),
    Transform(({ value }: { value: unknown }) => sinceTime(value)),
    IsDate({ message: 'since must be a duration back from now (30m, 2h, 7d) or an ISO 8601 time' }),
  );

/** `?limit=`: how many rows, or messages per conversation, a page holds. */
export class LimitQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}

/** `?cursor=` (the previous page's `next_cursor`) and `?limit=`. */
export class PageQuery extends LimitQuery {
  @OptionalText(200)
  cursor?: string;
}

export class ListFailuresQuery extends PageQuery {
  @IsOptional()
  @IsUUID('all')
  widget_id?: string;

  /** Every row of this claimed user id, also one folded into a visitor's row. */
  @OptionalText(255)
  user_id?: string;

  @IsOptional()
  @IsIn(CLAIM_FAILURE_REASONS, { message: `reason must be one of ${CLAIM_FAILURE_REASONS.join(', ')}` })
  reason?: ClaimFailureReason;

  /** Rows last seen at or after this time. */
  @Since()
  since?: Date;
}

export class ListContactsQuery extends PageQuery {
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'verified must be true or false' })
  verified?: boolean;

  @OptionalText(255)
  user_id?: string;

  /** The contacts with this email, in any case (an attribute, never identity: several contacts may have it). */
  @OptionalText(320)
  email?: string;
}

export class DeleteWidgetQuery {
  /** `true`: erase the widget's contacts first (docs/security.md#erasure). */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'erase must be true or false' })
  erase?: boolean;
}

export class EraseUserQuery {
  @IsString()
  @Length(1, 255)
  user_id!: string;
}

export class ReplyBody {
  @IsString()
  @Length(1, 10_000)
  @MultilineText()
  text!: string;
}

/** A claim as a page would send it, for the claim check. */
export class ClaimCheckBody extends WithPageClaim(class {}) {}

export class ListAuditQuery extends PageQuery {
  @IsOptional()
  @IsIn(AUDIT_ACTION_NAMES, { message: `action must be one of ${AUDIT_ACTION_NAMES.join(', ')}` })
  action?: AuditAction;

  @IsOptional()
  @IsUUID('all')
  token_id?: string;

  /** The widget, token or contact id an entry names. */
  @OptionalText(255)
  target_id?: string;

  /** Entries at or after this time. */
  @Since()
  since?: Date;
}

/** `?since=` of the verification health report: hours or days back, e.g. `24h` (the default) or `7d`. */
export class VerificationHealthQuery {
  @IsOptional()
  @Matches(/^[1-9]\d{0,3}[hd]$/, { message: 'since must be a number of hours or days such as 24h or 7d' })
  since: string = '24h';
}
