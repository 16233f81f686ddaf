import { createWidget, DIST, freePort, launch, ManagedProcess, RunningSystem, startSystem, SystemOptions, TestWidget, waitFor } from '@inviaro/test-harness';
import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page, Request } from 'playwright-core';

// Browser globals, for the functions that run in the page (page.evaluate): the root typecheck has no DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, localStorage: any, sessionStorage: any;

export { waitFor };

/** Debian's chromium, headless, with nothing in the background that could reach the network. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

export interface BrowserSuite {
  system: RunningSystem;
  demo: Demo;
  /** A new device, closed after the suite. */
  device: () => Promise<BrowserContext>;
}

/** The whole system (with `options`, e.g. a service's settings), the demo product and Chromium, started before a suite's tests and stopped after them. */
export function browserSuite(options: SystemOptions = {}): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const suite = {
    device: async () => {
      const context = await newDevice(browser!);
      contexts.push(context);
      return context;
    },
  } as BrowserSuite;
  beforeAll(async () => {
    suite.system = await startSystem(options);
    [suite.demo, browser] = await Promise.all([startDemo(suite.system), launchBrowser()]);
  });
  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    await suite.demo?.stop();
    await suite.system?.stop();
  });
  return suite;
}

/** A new device: a context is a fresh, empty profile (its own storage, cookies and cache). */
export async function newDevice(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1180, height: 760 } });
  context.setDefaultTimeout(15_000);
  return context;
}

export interface Demo {
  url: string;
  widget: TestWidget;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** The demo product as a process (node dist/apps/demo/src/main.js), with a widget of its own that allows only its origin. */
export async function startDemo(system: RunningSystem, widget?: TestWidget): Promise<Demo> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const own = widget ?? (await createWidget(system, url));
  const child = await launch('demo', process.execPath, [join(DIST, 'apps', 'demo', 'src', 'main.js')], {
    env: {
      ...process.env,
      GATEWAY_URL: system.gatewayUrl,
      WIDGET_KEY: own.key,
      WIDGET_SECRET: own.secret,
      ADMIN_TOKEN: own.adminToken,
      DEMO_PORT: String(port),
    },
    readyWhen: /demo ready on/,
    readyTimeoutMs: 15_000,
  });
  return { url, widget: own, process: child, stop: () => child.stop() };
}

/** A static page on another origin that embeds the same widget: a site the widget does not allow. */
export async function startForeignSite(gatewayUrl: string, key: string): Promise<{ url: string; close(): Promise<void> }> {
  const page = `<!doctype html><html><head><title>Elsewhere</title>
<script>window.InviaroSettings = { key: ${JSON.stringify(key)} };</script>
<script src="${gatewayUrl}/v1.js" async></script></head><body><h1>Somebody else's site</h1></body></html>`;
  const server: Server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ShownLine {
  author: string;
  text: string;
  state: string | null;
}

/** The widget on a page, read and driven through its (open) shadow root, as a person would. */
export class WidgetOnPage {
  /** The page's calls of the widget API, from the first load on. */
  private readonly apiCalls: Request[] = [];

  constructor(readonly page: Page) {
    page.on('request', (request) => new URL(request.url()).pathname.startsWith('/v1/widget/') && this.apiCalls.push(request));
  }

  /** How many times the page has called this route of the widget API (e.g. `history`) so far. */
  callsTo(route: string): number {
    return this.apiCalls.filter((request) => new URL(request.url()).pathname === `/v1/widget/${route}`).length;
  }

  get launcher() {
    return this.page.locator('inviaro-chat .launcher');
  }

  get input() {
    return this.page.locator('inviaro-chat textarea');
  }

  get panel() {
    return this.page.locator('inviaro-chat .panel');
  }

  get status() {
    return this.page.locator('inviaro-chat .status');
  }

  async open(): Promise<void> {
    await this.launcher.waitFor({ state: 'visible' });
    if (!(await this.panel.isVisible())) await this.launcher.click();
    await this.panel.waitFor({ state: 'visible' });
  }

  /** Types and presses Enter. */
  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press('Enter');
  }

  async lines(): Promise<ShownLine[]> {
    return this.page.evaluate(() => {
      const root = document.querySelector('inviaro-chat')?.shadowRoot;
      const nodes: Array<{ getAttribute(name: string): string | null; querySelector(selector: string): { textContent: string | null } | null }> = Array.from(
        root?.querySelectorAll('.log .m') ?? [],
      );
      return nodes.map((node) => ({
        author: node.getAttribute('data-author') ?? '',
        text: node.querySelector('.t')?.textContent ?? '',
        state: node.getAttribute('data-state'),
      }));
    });
  }

  async texts(): Promise<string[]> {
    return (await this.lines()).map((line) => line.text);
  }

  /** Waits until the shown conversation satisfies the check (bounded). */
  async waitForLines(what: string, check: (lines: ShownLine[]) => boolean, timeoutMs = 15_000): Promise<ShownLine[]> {
    return waitFor(
      what,
      async () => {
        const lines = await this.lines();
        return check(lines) ? lines : undefined;
      },
      timeoutMs,
      100,
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}; shown: ${JSON.stringify(await this.lines())}`);
    });
  }

  /** Waits until a line with this text is shown once, accepted (not pending). */
  async waitForText(text: string, author?: string, timeoutMs?: number): Promise<void> {
    await this.waitForLines(
      `"${text}" shown once`,
      (lines) => {
        const matching = lines.filter((l) => l.text === text);
        return matching.length === 1 && !matching[0]?.state && (!author || matching[0]?.author === author);
      },
      timeoutMs,
    );
  }

  async verified(): Promise<boolean> {
    return (await this.panel.getAttribute('data-verified')) === 'true';
  }

  /** Waits until the page shows (or no longer shows) a verified user's conversation. */
  async waitForVerified(expected: boolean): Promise<void> {
    await waitFor(
      expected ? 'the page verified' : 'the page no longer verified',
      async () => ((await this.verified()) === expected ? true : undefined),
      20_000,
    );
  }

  /** Everything the widget keeps in this origin's storage. */
  async storage(): Promise<Record<string, string>> {
    return this.page.evaluate(() => {
      const kept: Record<string, string> = {};
      for (const store of [localStorage, sessionStorage]) {
        for (let i = 0; i < store.length; i++) {
          const key = store.key(i)!;
          if (key.startsWith('inviaro')) kept[key] = store.getItem(key)!;
        }
      }
      return kept;
    });
  }

  async token(): Promise<string | undefined> {
    const saved = Object.values(await this.storage())[0];
    return saved ? JSON.parse(saved).t : undefined;
  }
}

/**
 * Where the suites' screenshots go: a temporary folder (to look at after a failure), never a tracked file;
 * `npm run screenshots` points INVIARO_SCREENSHOTS_DIR at docs/screenshots, the ones the README shows.
 */
export function screenshotsDir(): string {
  return process.env.INVIARO_SCREENSHOTS_DIR ?? join(tmpdir(), 'inviaro-screenshots');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir(), { recursive: true });
  await page.screenshot({ path: join(screenshotsDir(), name), timeout: 15_000 });
}

/** Signs in on the demo page the single-page way (app.js → /api/login, /api/me, Inviaro('identify')). */
export async function signIn(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.locator('[data-when=in] [data-user-name]').first().filter({ hasText: name }).waitFor();
}

/** The demo's users (apps/demo/src/users.ts). */
export const AMAR = { id: 'usr_1001', name: 'Amar Haddad' };
export const BEA = { id: 'usr_1002', name: 'Bea Novak' };
export const CHEN = { id: 'usr_1003', name: 'Chen Li' };

/** Signs in the way a form post does (a full page load renders the settings with the claim); the context's cookies carry the session. */
export async function signInServerSide(context: BrowserContext, demo: Demo, userId: string): Promise<void> {
  const response = await context.request.post(`${demo.url}/api/login`, { data: { user: userId }, timeout: 10_000 });
  if (!response.ok()) throw new Error(`demo login failed: ${response.status()}`);
}

/** The demo page in a new tab of `context`, its visitor signed in server-side as `userId`, with the chat open. */
export async function openSignedIn(context: BrowserContext, demo: Demo, userId: string): Promise<WidgetOnPage> {
  await signInServerSide(context, demo, userId);
  const widget = new WidgetOnPage(await context.newPage());
  await widget.page.goto(demo.url);
  await widget.open();
  return widget;
}

export interface AdminContact {
  id: string;
  user_id: string | null;
  is_verified: boolean;
  conversations: Array<{ id: string; messages: Array<{ message_id: string; author: string; text: string }> }>;
}

/** Every live contact of the widget's workspace, with its conversations (the admin API). */
export async function contactsWithMessages(widget: TestWidget): Promise<AdminContact[]> {
  const listed = await widget.admin.call<{ contacts: Array<{ id: string }> }>('GET', 'contacts?limit=200');
  if (listed.status !== 200) throw new Error(`contacts: ${listed.status}`);
  return Promise.all(
    listed.body.contacts.map(async (c) => {
      const detail = await widget.admin.call<AdminContact>('GET', `contacts/${c.id}`);
      if (detail.status !== 200) throw new Error(`contact: ${detail.status}`);
      return detail.body;
    }),
  );
}

/** Waits until the user's contact has a conversation holding this text (the admin API), and returns it: where an operator replies. */
export function conversationWith(widget: TestWidget, userId: string, text: string): Promise<AdminContact['conversations'][number]> {
  return waitFor(`the conversation with "${text}" in the inbox`, async () => {
    const contact = (await contactsWithMessages(widget)).find((c) => c.user_id === userId);
    return contact?.conversations.find((c) => c.messages.some((m) => m.text === text));
  });
}

export function textsOf(contact: AdminContact): string[] {
  return contact.conversations.flatMap((c) => c.messages.map((m) => m.text));
}
