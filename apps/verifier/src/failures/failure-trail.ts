import { ClaimFailureReason, VisitorEventFields } from '@inviaro/contracts';
import { SERVICE_LOGGER } from '@inviaro/observability';
import { execute } from '@inviaro/persistence';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';

/**
 * The support team's trail of failed claims: a warning log line and a record listed by
 * `GET /v1/admin/verification-failures`. Never the hash or the secret. Repeats of one widget,
 * visitor, claimed user id and reason fold into one row (count, first and last time), so a
 * flood of one spoofed claim costs one row; a redelivery of the event just folded is not counted again.
 */
@Injectable()
export class FailureTrail {
  constructor(
    private readonly db: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async record(event: VisitorEventFields, correlationId: string, reason: ClaimFailureReason, claimedUserId: string | undefined): Promise<void> {
    await execute(
      this.db,
      `INSERT INTO verification_failures (workspace_id, widget_id, visitor_id, correlation_id, claimed_user_id, reason, first_at, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (widget_id, visitor_id, claimed_user_id, reason) WHERE visitor_id IS NOT NULL DO UPDATE SET
         count = verification_failures.count + 1,
         first_at = LEAST(verification_failures.first_at, EXCLUDED.first_at),
         at = GREATEST(verification_failures.at, EXCLUDED.at),
         correlation_id = EXCLUDED.correlation_id
       WHERE verification_failures.correlation_id <> EXCLUDED.correlation_id`,
      [event.workspace_id, event.widget_id, event.visitor_id, correlationId, claimedUserId ?? null, reason, event.received_at],
    );
    this.logger.warn({ widget_id: event.widget_id, claimed_user_id: claimedUserId ?? null, reason, correlation_id: correlationId }, 'identity claim failed');
  }
}
