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

  /** Live streams one visitor may hold open on one gateway instance at once (429 past it). */
  @IsInt()
  @Min(1)
  @Max(100)
  LIVE_STREAMS_PER_VISITOR: number = 3;

  /** Seconds a live stream's reader may take nothing while messages wait before the stream is closed. */
  @IsInt()
  @Min(1)
  @Max(600)
  LIVE_STREAM_BACKPRESSURE_SECONDS: number = 10;
}
