import { AuditAction } from '@inviaro/contracts';
import { applyDecorators, CallHandler, ExecutionContext, HttpStatus, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, Observable } from 'rxjs';
import { answerOf } from '../../http/api-exception.filter';
import type { AdminRequest } from '../admin-auth.guard';
import { AuditLog } from './audit-log';

export const AUDITED = 'inviaro:audited-action';

/** The action a route records, or, where one route does several (a PATCH), which of them a call's body asks for. */
export type AuditedAs = AuditAction | ((body: Record<string, unknown>) => AuditAction[]);

/** The route's `:id`: what most audited calls act on. */
export function routeTarget(request: AdminRequest): string | null {
  const id = request.params.id;
  return typeof id === 'string' ? id : null;
}

/** The actions a call of this handler records: none for a route that is not audited. */
export function auditedActions(reflector: Reflector, handler: ReturnType<ExecutionContext['getHandler']>, body: unknown): AuditAction[] {
  const as = reflector.get<AuditedAs | undefined>(AUDITED, handler);
  if (!as) return [];
  return typeof as === 'string' ? [as] : as(body && typeof body === 'object' ? (body as Record<string, unknown>) : {});
}

/**
 * Records each call of the route in the audit log as `action`, with its outcome: the one place an
 * action is recorded. The target is the route's `:id`, or the `id` of what it made. A support token
 * refused by the role rule is recorded by the guard (it never reaches this).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditLog,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler<unknown>): Observable<unknown> {
    const handler = context.getHandler();
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const actions = auditedActions(this.reflector, handler, request.body);
    const caller = request.admin!;
    const success = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, handler) ?? (request.method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK);
    const record = async (targetId: string | null, outcome: string, status: number) => {
      for (const action of actions) await this.audit.record({ caller, action, targetId, outcome, status });
    };
    return from(
      (async () => {
        try {
          const answer: unknown = await lastValueFrom(next.handle(), { defaultValue: undefined });
          await record(routeTarget(request) ?? (answer as { id?: string } | undefined)?.id ?? null, 'ok', success);
          return answer;
        } catch (error) {
          const { status, code } = answerOf(error);
          await record(routeTarget(request), code, status);
          throw error;
        }
      })(),
    );
  }
}

/** An admin action the audit log records (AUDIT_ACTIONS in @inviaro/contracts lists them all). */
export const Audited = (as: AuditedAs) => applyDecorators(SetMetadata(AUDITED, as), UseInterceptors(AuditInterceptor));
