import { GatewayConfig } from '@inviaro/config';
import { retentionJob } from '@inviaro/persistence';
import { DynamicModule, Module } from '@nestjs/common';
import { AdminAuthGuard } from './admin-auth.guard';
import { ClaimCheckController } from './claim-check.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { AUDIT_RETENTION, AuditLog } from './audit/audit-log';
import { AuditInterceptor } from './audit/audited';
import { ContactEraser } from './contact-eraser';
import { ContactsController } from './contacts.controller';
import { FailureRecords } from './failure-records';
import { SECRET_ADMINISTRATION } from './secret-administration';
import { AdminTokens } from './tokens/admin-tokens';
import { AdminTokensController } from './tokens/admin-tokens.controller';
import { DeleteWidget } from './widget-settings/delete-widget.usecase';
import { UpdateWidget } from './widget-settings/update-widget.usecase';
import { VerificationFailuresController } from './verification-failures.controller';
import { VerificationHealthController } from './verification-health.controller';
import { WidgetsController } from './widgets.controller';

/** The support team's API, scoped to the workspace of the admin token, each route to a role (admin-roles.ts). */
@Module({
  controllers: [
    WidgetsController,
    ClaimCheckController,
    VerificationFailuresController,
    VerificationHealthController,
    ContactsController,
    AdminTokensController,
    AuditLogController,
  ],
  providers: [AdminAuthGuard, FailureRecords, ContactEraser, AdminTokens, AuditLog, AuditInterceptor, UpdateWidget, DeleteWidget, ...SECRET_ADMINISTRATION],
})
export class AdminModule {
  /** With the audit log's retention, which the configuration sets. */
  static register(config: GatewayConfig): DynamicModule {
    return { module: AdminModule, providers: [retentionJob(AUDIT_RETENTION, config.AUDIT_RETENTION_DAYS)] };
  }
}
