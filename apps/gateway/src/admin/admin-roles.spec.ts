import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AdminModule } from './admin.module';
import { OPEN_TO_SUPPORT } from './admin-roles';
import { AUDITED } from './audit/audited';
import { DECORATORS } from '@nestjs/swagger';

/**
 * Every admin route with the role it needs and what the audit log records of it. A route added without a row
 * here fails this test: whoever adds it decides, in review, whether support may call it (admin-roles.ts)
 * and whether it is audited (AUDIT_ACTIONS).
 */
/** `audited`: the action, or `by body` where the call's body decides (a PATCH). */
const ROUTES: Record<string, { role: 'admin' | 'support'; audited?: string }> = {
  'POST /v1/admin/widgets': { role: 'admin', audited: 'widget.create' },
  'GET /v1/admin/widgets': { role: 'admin' },
  'PATCH /v1/admin/widgets/:id': { role: 'admin', audited: 'by body' },
  'DELETE /v1/admin/widgets/:id': { role: 'admin', audited: 'widget.delete' },
  'POST /v1/admin/widgets/:id/secret/reveal': { role: 'admin', audited: 'secret.reveal' },
  'GET /v1/admin/widgets/:id/secret': { role: 'admin' },
  'POST /v1/admin/widgets/:id/secret/stage': { role: 'admin', audited: 'secret.stage' },
  'POST /v1/admin/widgets/:id/secret/retire': { role: 'admin', audited: 'secret.retire' },
  'POST /v1/admin/widgets/:id/secret/rotate': { role: 'admin', audited: 'secret.rotate' },
  'POST /v1/admin/widgets/:id/claim-check': { role: 'admin', audited: 'widget.claim_check' },
  'GET /v1/admin/verification-failures': { role: 'support' },
  'GET /v1/admin/widgets/:id/verification': { role: 'support' },
  'GET /v1/admin/contacts': { role: 'support' },
  'GET /v1/admin/contacts/:id': { role: 'support' },
  'GET /v1/admin/contacts/:id/export': { role: 'admin', audited: 'contact.export' },
  'DELETE /v1/admin/contacts/:id': { role: 'admin', audited: 'contact.erase' },
  'DELETE /v1/admin/contacts': { role: 'admin', audited: 'contact.erase' },
  'GET /v1/admin/conversations/:id/messages': { role: 'support' },
  'POST /v1/admin/conversations/:id/replies': { role: 'support' },
  'POST /v1/admin/tokens': { role: 'admin', audited: 'token.create' },
  'GET /v1/admin/tokens': { role: 'admin' },
  'DELETE /v1/admin/tokens/:id': { role: 'admin', audited: 'token.revoke' },
  'GET /v1/admin/audit-log': { role: 'admin' },
};

type Handler = (...args: unknown[]) => unknown;

/** Each route's role and audit action, and whether its OpenAPI description lists a 403. */
function adminRoutes(): Record<string, { role: 'admin' | 'support'; audited?: string; documents403: boolean }> {
  const routes: Record<string, { role: 'admin' | 'support'; audited?: string; documents403: boolean }> = {};
  const controllers = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, AdminModule) as Array<{ prototype: Record<string, unknown> }>;
  for (const controller of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller));
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const handler = controller.prototype[name] as Handler;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (name === 'constructor' || path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const audited = Reflect.getMetadata(AUDITED, handler) as string | Handler | undefined;
      routes[`${method} /${[base, path].filter((part) => part && part !== '/').join('/')}`] = {
        role: Reflect.getMetadata(OPEN_TO_SUPPORT, handler) ? 'support' : 'admin',
        ...(audited ? { audited: typeof audited === 'string' ? audited : 'by body' } : {}),
        documents403: '403' in ((Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as Record<string, unknown> | undefined) ?? {}),
      };
    }
  }
  return routes;
}

describe('admin routes and their roles', () => {
  it('each admin route is admin-only unless marked open to support, and is listed here with its role and audit action', () => {
    const routes = adminRoutes();
    expect(Object.fromEntries(Object.entries(routes).map(([route, { role, audited }]) => [route, { role, ...(audited ? { audited } : {}) }]))).toEqual(ROUTES);
  });

  it('every admin-only route documents its 403 for a support token', () => {
    const undocumented = Object.entries(adminRoutes()).filter(([, { role, documents403 }]) => role === 'admin' && !documents403);
    expect(undocumented.map(([route]) => route)).toEqual([]);
  });
});
