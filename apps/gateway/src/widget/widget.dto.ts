import { Transform } from 'class-transformer';
import { VisitorEmail, VisitorName } from '@inviaro/contracts';
import { Allow, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ClaimValue, MultilineText } from '../http/accepted-text';

export class CreateVisitorBody {
  @IsString()
  @Length(1, 255)
  key!: string;
}

export class VisitorBody extends CreateVisitorBody {
  @IsString()
  @Length(1, 255)
  visitor_token!: string;
}

/** A claim and the attributes that may come with it. */
export class ClaimBody extends VisitorBody {
  /** Taken whatever its type or bytes: a malformed claim is reduced at the gateway and dropped by the verifier, never a 400. */
  @Allow()
  @ClaimValue()
  user_id?: unknown;

  @Allow()
  @ClaimValue()
  user_hash?: unknown;

  /** A compact JWS (HS256) in place of user_id and user_hash (docs/identity-jwt.md); never a 400 either. */
  @Allow()
  @ClaimValue()
  user_jwt?: unknown;

  @VisitorEmail()
  email?: string;

  @VisitorName()
  name?: string;
}

export class PostMessageBody extends ClaimBody {
  @IsString()
  @Length(1, 255)
  client_message_id!: string;

  @IsString()
  @Length(1, 10_000)
  @MultilineText()
  text!: string;
}

export class HistoryBody extends ClaimBody {
  /** The `next_cursor` of the previous page: older messages. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  before?: string;

  @IsOptional()
  // A numeric string is read as its number; anything else is left for @IsInt to refuse (Number() of an object can throw).
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;
}
