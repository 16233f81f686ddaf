import { Module } from '@nestjs/common';
import { ClaimVerification } from './claim/claim-verification';
import { FailureTrail } from './failures/failure-trail';
import { VerificationCounts } from './health/verification-counts';
import { InboundHandler } from './inbound.handler';
import { WidgetSecrets } from './secrets/widget-secrets';

@Module({ controllers: [InboundHandler], providers: [ClaimVerification, FailureTrail, WidgetSecrets, VerificationCounts] })
export class VerifierModule {}
