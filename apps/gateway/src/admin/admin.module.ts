import { Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { VerificationFailuresController } from './verification-failures.controller';
import { WidgetsController } from './widgets.controller';

/** The support team's API, scoped to the workspace of the admin token. */
@Module({
  controllers: [WidgetsController, VerificationFailuresController],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
