import { Transform } from 'class-transformer';
import { VisitorEmail, VisitorName } from '@inviaro/contracts';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MultilineText } from '../http/accepted-text';
import { WithPageClaim } from '../http/page-claim';

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
export class ClaimBody extends WithPageClaim(VisitorBody) {
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
