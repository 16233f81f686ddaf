import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';

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

export class ListFailuresQuery {
  @IsOptional()
  @IsUUID('all')
  widget_id?: string;

  /** The `next_cursor` of the previous page. */
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
