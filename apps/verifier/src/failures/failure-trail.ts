import { ClaimFailureReason, VisitorEventFields } from '@inviaro/contracts';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';

/**
 * The support team's trail of failed claims: a warning log line and a record listed by
 * `GET /v1/admin/verification-failures`. Never the hash or the secret.
 */
@Injectable()
export class FailureTrail {
  constructor(
    private readonly db: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async record(event: VisitorEventFields, correlationId: string, reason: ClaimFailureReason, claimedUserId: string | undefined): Promise<void> {
    await this.db.query(
      `INSERT INTO verification_failures (workspace_id, widget_id, correlation_id, claimed_user_id, reason, at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (correlation_id) DO NOTHING`,
      [event.workspace_id, event.widget_id, correlationId, claimedUserId ?? null, reason, event.received_at],
    );
    this.logger.warn({ widget_id: event.widget_id, claimed_user_id: claimedUserId ?? null, reason, correlation_id: correlationId }, 'identity claim failed');
  }
}
