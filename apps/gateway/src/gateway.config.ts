import { SecretsConfig } from '@inviaro/persistence';
import { IsInt, Max, Min } from 'class-validator';

export class GatewayConfig extends SecretsConfig {
  /** Widget API calls per minute for one widget, all its visitors together. */
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_WIDGET_PER_MINUTE: number = 12_000;

  /** Widget API calls per minute for one visitor token (or, creating visitors, one client address). */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_VISITOR_PER_MINUTE: number = 120;
}
