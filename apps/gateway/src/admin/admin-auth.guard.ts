import { workspaceOfAdminToken } from '@inviaro/persistence';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { RateBudgets } from '../http/rate-limits';
import { refuseUnknownQueryParameters } from './known-query';

type AdminRequest = Request & { workspaceId?: string };

/**
 * Admin calls carry `Authorization: Bearer <admin token>`; the token names the one workspace they act in.
 * Each failure spends the client address's budget of failed authentications; past it the address gets
 * 429 before its token is looked up, so guessing tokens costs PostgreSQL at most that many lookups a minute.
 * Then the query may hold only the route's own parameters (known-query.ts).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly db: Pool,
    private readonly budgets: RateBudgets,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const failures = this.budgets.adminFailures(request);
    await this.budgets.refuseIfSpent(failures);
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const workspaceId = scheme === 'Bearer' && token ? await workspaceOfAdminToken(this.db, token) : null;
    if (!workspaceId) {
      await this.budgets.spend([failures]);
      throw new ApiError(401, 'unauthorized', 'a valid admin token is required (Authorization: Bearer <token>)');
    }
    request.workspaceId = workspaceId;
    // Every admin route passes here: the one place where an unknown query parameter is refused.
    refuseUnknownQueryParameters(request.query, context.getClass(), context.getHandler());
    return true;
  }
}

/** The workspace the admin token belongs to: every admin query names it, so other workspaces' ids answer 404. */
export const AdminWorkspace = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AdminRequest>().workspaceId!);
