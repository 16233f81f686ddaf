import { AuditEntries } from '@inviaro/contracts';
import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AdminAuthGuard, AdminWorkspace } from '../admin-auth.guard';
import { ListAuditQuery } from '../admin.dto';
import { AdminApi, Answers } from '../../http/documented';
import { AuditLog } from './audit-log';

@Controller('v1/admin/audit-log')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class AuditLogController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Answers({ summary: 'who changed what or saw a secret, newest first (admin tokens only)', status: 200, answer: AuditEntries, errors: [400, 401, 403] })
  list(@AdminWorkspace() workspaceId: string, @Query() query: ListAuditQuery): Promise<AuditEntries> {
    return this.audit.list(workspaceId, query);
  }
}
