import { inviaroUserHash } from '@inviaro/sdk';
import { randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Contacts } from '@inviaro/contracts';
import { AdminApi, AdminApiError } from './admin-api';
import { APP_JS, DEMO_CSS } from './assets';
import { DemoConfig } from './config';
import { Html } from './html';
import { contactPage, errorPage, failuresPage, healthPage, inboxPage, productPage } from './pages';
import { DemoUser, findUser } from './users';

const SESSION_COOKIE = 'demo_session';
const BODY_LIMIT = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Failures per page of the inbox's failures page. */
const FAILURES_PAGE = 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Strict CSP for the product page: scripts only with this response's nonce or the gateway's v1.js,
 * no inline styles, no eval, Trusted Types required; the widget needs nothing more.
 */
function productCsp(config: DemoConfig, nonce: string): string {
  const gateway = new URL(config.gatewayUrl).origin;
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' ${gateway}/v1.js`,
    `connect-src 'self' ${gateway}`,
    "style-src 'self'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

/** The inbox has no script at all. */
const INBOX_CSP = "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

function cookies(request: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), decodeURIComponent(part.slice(eq + 1).trim()));
  }
  return jar;
}

async function readBody(request: IncomingMessage): Promise<Record<string, string>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, 'body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      const parsed = JSON.parse(text || '{}') as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      throw new HttpError(400, 'malformed JSON');
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** The demo product: sessions for three users, the widget signed server-side, and the operator inbox. */
export function createDemoServer(config: DemoConfig): Server {
  const sessions = new Map<string, string>();
  const admin = new AdminApi(config.gatewayUrl, config.adminToken);

  const userOf = (request: IncomingMessage): DemoUser | undefined => {
    const sid = cookies(request).get(SESSION_COOKIE);
    return sid ? findUser(sessions.get(sid)) : undefined;
  };

  const login = (response: ServerResponse, user: DemoUser) => {
    const sid = randomBytes(24).toString('base64url');
    sessions.set(sid, user.id);
    response.setHeader('set-cookie', `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
  };

  const logout = (request: IncomingMessage, response: ServerResponse) => {
    const sid = cookies(request).get(SESSION_COOKIE);
    if (sid) sessions.delete(sid);
    response.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`);
  };

  const send = (response: ServerResponse, status: number, type: string, body: string, csp?: string) => {
    response.statusCode = status;
    response.setHeader('content-type', type);
    response.setHeader('cache-control', 'no-store');
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'same-origin');
    if (csp) response.setHeader('content-security-policy', csp);
    response.end(body);
  };
  const page = (response: ServerResponse, status: number, markup: Html, csp = INBOX_CSP) =>
    send(response, status, 'text/html; charset=utf-8', markup.value, csp);
  const json = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json', JSON.stringify(body));
  const redirect = (response: ServerResponse, location: string) => {
    response.statusCode = 303;
    response.setHeader('location', location);
    response.end();
  };

  /** A user id, or an email (a contact's attribute): the contacts with either, one list. */
  async function searchContacts(text: string): Promise<Contacts> {
    const [byUserId, byEmail] = await Promise.all([
      admin.listContacts({ user_id: text }),
      text.includes('@') ? admin.listContacts({ email: text }) : { contacts: [], next_cursor: null },
    ]);
    const seen = new Set(byUserId.contacts.map((contact) => contact.id));
    return { contacts: [...byUserId.contacts, ...byEmail.contacts.filter((contact) => !seen.has(contact.id))], next_cursor: null };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', config.origin);
    const path = url.pathname;
    const method = request.method ?? 'GET';
    // Cross-site form posts (CSRF) are refused: a browser names the posting page's origin.
    if (method === 'POST' && request.headers.origin && request.headers.origin !== config.origin) throw new HttpError(403, 'cross-origin post refused');

    if (method === 'GET' && path === '/') {
      const user = userOf(request);
      const nonce = randomBytes(18).toString('base64');
      // Signed here, on the server, for the user this request authenticated (the docs' rule).
      const userHash = user ? inviaroUserHash(user.id, config.widgetSecret) : undefined;
      return page(response, 200, productPage(config, nonce, user, userHash), productCsp(config, nonce));
    }
    if (method === 'GET' && path === '/app.js') return send(response, 200, 'text/javascript; charset=utf-8', APP_JS);
    if (method === 'GET' && path === '/demo.css') return send(response, 200, 'text/css; charset=utf-8', DEMO_CSS);
    if (method === 'GET' && path === '/health') return json(response, 200, { status: 'ok' });

    if (method === 'POST' && (path === '/login' || path === '/api/login')) {
      const user = findUser((await readBody(request)).user);
      if (!user) throw new HttpError(400, 'no such user');
      login(response, user);
      return path === '/login' ? redirect(response, '/') : json(response, 200, { id: user.id });
    }
    if (method === 'POST' && (path === '/logout' || path === '/api/logout')) {
      logout(request, response);
      return path === '/logout' ? redirect(response, '/') : json(response, 200, {});
    }
    // The docs' example endpoint: the authenticated user, with the hash computed for them.
    if (method === 'GET' && path === '/api/me') {
      const user = userOf(request);
      if (!user) return json(response, 401, { error: 'not signed in' });
      return json(response, 200, { id: user.id, email: user.email, name: user.name, inviaroUserHash: inviaroUserHash(user.id, config.widgetSecret) });
    }

    if (method === 'GET' && path === '/inbox') {
      const verified = url.searchParams.get('verified') ?? undefined;
      const search = url.searchParams.get('q')?.trim() || undefined;
      const [list, failures] = await Promise.all([
        search ? searchContacts(search) : admin.listContacts({ verified, cursor: url.searchParams.get('cursor') ?? undefined }),
        admin.failures(),
      ]);
      return page(
        response,
        200,
        inboxPage(list.contacts, list.next_cursor, failures.failures, verified === 'true' || verified === 'false' ? verified : undefined, search),
      );
    }
    if (method === 'GET' && path === '/inbox/failures') {
      const filters = { user_id: url.searchParams.get('user_id')?.trim(), reason: url.searchParams.get('reason')?.trim() };
      const list = await admin.failures({ ...filters, cursor: url.searchParams.get('cursor') ?? undefined, limit: String(FAILURES_PAGE) });
      return page(response, 200, failuresPage(list.failures, list.next_cursor, filters));
    }
    if (method === 'GET' && path === '/inbox/widgets') {
      const { widgets } = await admin.widgets();
      return page(response, 200, healthPage(await Promise.all(widgets.map(async (widget) => ({ widget, health: await admin.verificationHealth(widget.id) })))));
    }
    const [, contactId] = /^\/inbox\/contacts\/([^/]+)$/.exec(path) ?? [];
    if (method === 'GET' && contactId !== undefined) {
      if (!UUID.test(contactId)) throw new HttpError(404, 'no such contact');
      return page(response, 200, contactPage(await admin.contact(contactId)));
    }
    const [, conversationId] = /^\/inbox\/conversations\/([^/]+)\/replies$/.exec(path) ?? [];
    if (method === 'POST' && conversationId !== undefined) {
      const body = await readBody(request);
      if (!UUID.test(conversationId) || !UUID.test(body.contact ?? '')) throw new HttpError(404, 'no such conversation');
      const text = (body.text ?? '').trim();
      if (text) await admin.reply(conversationId, text);
      return redirect(response, `/inbox/contacts/${body.contact}`);
    }
    throw new HttpError(404, 'not found');
  }

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError || error instanceof AdminApiError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status >= 500) console.error(`demo: ${request.method} ${request.url}: ${message}`);
      if (response.headersSent) return response.destroy();
      page(response, status, errorPage(status, status === 500 ? 'internal error' : message));
    });
  });
}
