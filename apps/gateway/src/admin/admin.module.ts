import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { ContactsController } from './contacts.controller';
import { SECRET_ADMINISTRATION } from './secret-administration';
import { VerificationFailuresController } from './verification-failures.controller';
import { VerificationHealthController } from './verification-health.controller';
import { WidgetsController } from './widgets.controller';

/** The support team's API, scoped to the workspace of the admin token. */
@Module({
  controllers: [WidgetsController, VerificationFailuresController, VerificationHealthController, ContactsController],
  providers: [AdminAuthGuard, ...SECRET_ADMINISTRATION],
})
export class AdminModule {}
