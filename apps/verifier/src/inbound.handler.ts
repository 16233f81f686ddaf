import {
  ClaimCheck,
  ClaimCheckRequest,
  ClaimCheckResult,
  ContactAnonymous,
  ContactVerified,
  ClaimCheckAnswer,
  deterministicId,
  DiagnoseClaim,
  EventEnvelope,
  InboundClaim,
  MessageInbound,
  MessageInboundData,
  SIGNED_ATTRIBUTES,
  VisitorEventFields,
} from '@inviaro/contracts';
import { UnopenableClaimError } from '@inviaro/crypto';
import { EventPublisher, OnEvent, OnRequest } from '@inviaro/bus';
import { DeadLetter } from '@inviaro/jetstream';
import { ClaimKeys } from '@inviaro/widget-secrets';
import { Controller } from '@nestjs/common';
import { ClaimDiagnosis } from './claim/claim-diagnosis';
import { ClaimVerification, UNOPENABLE_CLAIM } from './claim/claim-verification';
import { FailureTrail } from './failures/failure-trail';
import { VerificationCounts } from './health/verification-counts';

/** Decides who each inbound widget event belongs to, and answers "does this claim verify now?". */
@Controller()
export class InboundHandler {
  constructor(
    private readonly verification: ClaimVerification,
    private readonly failures: FailureTrail,
    private readonly publisher: EventPublisher,
    private readonly claimKeys: ClaimKeys,
    private readonly diagnosis: ClaimDiagnosis,
    private readonly counts: VerificationCounts,
  ) {}

  @OnEvent(MessageInbound)
  async handle(event: EventEnvelope<MessageInboundData>): Promise<void> {
    // The claim (and its hash) stops here: no event downstream carries it.
    const { sealed_claim, ...fields } = event.data;
    const verdict = await this.verification.verify(fields.widget_id, this.openClaim(event.id, fields, sealed_claim));
    const meta = { correlationId: event.correlation_id };
    if (verdict.outcome === 'verified') {
      // What a user_jwt signed replaces what the page said, and is named as signed.
      const signed = verdict.attributes ?? {};
      const signedAttributes = SIGNED_ATTRIBUTES.filter((attribute) => signed[attribute] !== undefined);
      await this.publisher.publish(
        ContactVerified,
        {
          ...fields,
          ...signed,
          user_id: verdict.userId,
          secret_version: verdict.secretVersion,
          ...(signedAttributes.length > 0 ? { signed_attributes: signedAttributes } : {}),
        },
        { ...meta, id: deterministicId(ContactVerified.subject, event.id) },
      );
      this.counts.count(fields.widget_id, verdict);
      return;
    }
    // No widget, no conversation to put it in: it can never be stored, however often it is retried.
    if (verdict.outcome === 'failed' && verdict.reason === 'unknown_widget') throw new DeadLetter(`unknown widget ${fields.widget_id}`);
    if (verdict.outcome === 'failed') await this.failures.record(fields, event.correlation_id, verdict.reason, verdict.claimedUserId);
    // A failed claim is dropped silently: the event goes on as the visitor's anonymous one.
    const failure = verdict.outcome === 'failed' ? { failure_reason: verdict.reason, claimed_user_id: verdict.claimedUserId } : {};
    await this.publisher.publish(ContactAnonymous, { ...fields, ...failure }, { ...meta, id: deterministicId(ContactAnonymous.subject, event.id) });
    this.counts.count(fields.widget_id, verdict);
  }

  /** The claim the gateway sealed into this event; a seal that does not open is a failed claim, not a failed event. */
  private openClaim(eventId: string, fields: VisitorEventFields, sealed: unknown): InboundClaim | null | typeof UNOPENABLE_CLAIM {
    try {
      return this.claimKeys.open(sealed, { eventId, widgetId: fields.widget_id, visitorId: fields.visitor_id }) as InboundClaim | null;
    } catch (error) {
      if (error instanceof UnopenableClaimError) return UNOPENABLE_CLAIM;
      throw error;
    }
  }

  @OnRequest(ClaimCheck)
  async check(request: ClaimCheckRequest): Promise<ClaimCheckResult> {
    const verdict = await this.verification.verify(request.widget_id, request.claim);
    if (verdict.outcome === 'verified') {
      const until = verdict.verifiedUntil === undefined ? {} : { verified_until: new Date(verdict.verifiedUntil).toISOString() };
      return { verified: true, user_id: verdict.userId, secret_version: verdict.secretVersion, verified_by: verdict.by, ...until };
    }
    return { verified: false, reason: verdict.outcome === 'failed' ? verdict.reason : undefined };
  }

  /** An admin's claim check: the same decision, with a hint; no failure recorded, no metric counted. */
  @OnRequest(DiagnoseClaim)
  diagnose(request: ClaimCheckRequest): Promise<ClaimCheckAnswer | null> {
    return this.diagnosis.diagnose(request.widget_id, request.claim ?? {});
  }
}
