import { AdminRole } from '@inviaro/contracts';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request } from 'express';
import { ApiError } from '../http/api-error';
import { RateBudgets } from '../http/rate-limits';
import { refuseUnknownQueryParameters } from './known-query';
import { OPEN_TO_SUPPORT } from './admin-roles';
import { auditedActions, routeTarget } from './audit/audited';
import { AuditLog } from './audit/audit-log';
import { AdminTokens } from './tokens/admin-tokens';

/** Who is calling: the token's workspace, the token itself (for the audit log), and from where. */
export interface AdminCaller {
  workspaceId: string;
  tokenId: string;
  tokenName: string;
  role: AdminRole;
  clientAddress: string | null;
}

export type AdminRequest = Request & { admin?: AdminCaller };

/**
 * Admin calls carry `Authorization: Bearer <admin token>`; the token names the one workspace they act in
 * and its role what they may do there (admin-roles.ts). Each failed authentication spends the client
 * address's budget; past it the address gets 429 before its token is looked up, so guessing tokens costs
 * PostgreSQL at most that many lookups a minute.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: AdminTokens,
    private readonly budgets: RateBudgets,
    private readonly reflector: Reflector,
    private readonly audit: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const failures = this.budgets.adminFailures(request);
    await this.budgets.refuseIfSpent(failures);
    const [scheme, value] = (request.headers.authorization ?? '').split(' ');
    const token = scheme === 'Bearer' && value ? await this.tokens.byValue(value) : null;
    if (!token) {
      await this.budgets.spend([failures]);
      throw new ApiError(401, 'unauthorized', 'a valid admin token is required (Authorization: Bearer <token>)');
    }
    const caller: AdminCaller = {
      workspaceId: token.workspace_id,
      tokenId: token.id,
      tokenName: token.name,
      role: token.role,
      clientAddress: request.ip ?? null,
    };
    request.admin = caller;
    if (caller.role !== 'admin' && !this.reflector.get<boolean>(OPEN_TO_SUPPORT, context.getHandler())) {
      const refused = new ApiError(403, 'forbidden', `a ${caller.role} token may not call this route; it needs an admin token`);
      for (const action of auditedActions(this.reflector, context.getHandler(), request.body)) {
        await this.audit.record({ caller, action, targetId: routeTarget(request), outcome: refused.code, status: refused.getStatus() });
      }
      throw refused;
    }
    // Every admin route passes here: the one place where an unknown query parameter is refused.
    refuseUnknownQueryParameters(request.query, context.getClass(), context.getHandler());
    return true;
  }
}

const callerOf = (context: ExecutionContext): AdminCaller => context.switchToHttp().getRequest<AdminRequest>().admin!;

/** The workspace the admin token belongs to: every admin query names it, so other workspaces' ids answer 404. */
export const AdminWorkspace = createParamDecorator((_: unknown, context: ExecutionContext) => callerOf(context).workspaceId);
