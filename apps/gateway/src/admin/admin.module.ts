import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { ClaimCheckController } from './claim-check.controller';
import { ContactsController } from './contacts.controller';
import { FailureRecords } from './failure-records';
import { SECRET_ADMINISTRATION } from './secret-administration';
import { VerificationFailuresController } from './verification-failures.controller';
import { WidgetsController } from './widgets.controller';

/** The support team's API, scoped to the workspace of the admin token. */
@Module({
  controllers: [WidgetsController, ClaimCheckController, VerificationFailuresController, ContactsController],
  providers: [AdminAuthGuard, FailureRecords, ...SECRET_ADMINISTRATION],
})
export class AdminModule {}
