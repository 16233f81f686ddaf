import { Module } from '@nestjs/common';
import { ClaimDiagnosis } from './claim/claim-diagnosis';
import { ClaimVerification } from './claim/claim-verification';
import { FailureTrail } from './failures/failure-trail';
import { VerificationCounts } from './health/verification-counts';
import { InboundHandler } from './inbound.handler';
import { WidgetSecrets } from './secrets/widget-secrets';

@Module({ controllers: [InboundHandler], providers: [ClaimVerification, ClaimDiagnosis, FailureTrail, WidgetSecrets, VerificationCounts] })
export class VerifierModule {}
