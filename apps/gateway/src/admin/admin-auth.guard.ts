import { workspaceOfAdminToken } from '@inviaro/persistence';
import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { Request } from 'express';
import { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error';

type AdminRequest = Request & { workspaceId?: string };

/** Admin calls carry `Authorization: Bearer <admin token>`; the token names the one workspace they act in. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly db: DataSource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    const workspaceId = scheme === 'Bearer' && token ? await workspaceOfAdminToken(this.db, token) : null;
    if (!workspaceId) throw new ApiError(401, 'unauthorized', 'a valid admin token is required (Authorization: Bearer <token>)');
    request.workspaceId = workspaceId;
    return true;
  }
}

/** The workspace the admin token belongs to: every admin query names it, so other workspaces' ids answer 404. */
export const AdminWorkspace = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AdminRequest>().workspaceId!);
