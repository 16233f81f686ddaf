import { DynamicModule, Module } from '@nestjs/common';
import { GatewayConfig } from '@inviaro/config';

export const LIVE_LIMITS = Symbol('LIVE_LIMITS');

/** What one visitor's and one client address's live streams may hold of this gateway instance. */
export interface LiveLimits {
  streamsPerVisitor: number;
  streamsPerAddress: number;
  /** A stream ends after at most this long; the widget reconnects and catches up from history. */
  maxLifetimeMs: number;
  /** A stream whose reader takes nothing for this long while data waits is closed. */
  backpressureMs: number;
  /** A stream with more than this waiting for its reader is closed at once. */
  bufferedBytes: number;
  /** How long the server keeps this instance's consumer of stored messages while it pulls nothing (a paused instance's). */
  consumerInactiveMs: number;
}

/** Past this, a reader is not slow but gone or hostile; a chat stream's messages are small. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

@Module({})
export class LiveLimitsModule {
  static register(config: GatewayConfig): DynamicModule {
    const limits: LiveLimits = {
      streamsPerVisitor: config.LIVE_STREAMS_PER_VISITOR,
      streamsPerAddress: config.LIVE_STREAMS_PER_ADDRESS,
      maxLifetimeMs: config.LIVE_STREAM_MAX_SECONDS * 1000,
      backpressureMs: config.LIVE_STREAM_BACKPRESSURE_SECONDS * 1000,
      bufferedBytes: MAX_BUFFERED_BYTES,
      consumerInactiveMs: config.OWN_CONSUMER_INACTIVE_SECONDS * 1000,
    };
    return { module: LiveLimitsModule, global: true, providers: [{ provide: LIVE_LIMITS, useValue: limits }], exports: [LIVE_LIMITS] };
  }
}
