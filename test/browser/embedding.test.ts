import { DIST } from '@inviaro/test-harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMAR, browserSuite, conversationWith, signIn, startForeignSite, waitFor, WidgetOnPage } from './support';

// Browser globals, for the functions that run in the page (page.evaluate): the root typecheck has no DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any, document: any, getComputedStyle: any;

jest.setTimeout(120_000);

interface Violation {
  directive: string;
  blocked: string;
}

describe('the widget on customers’ pages: allowed origins, strict CSP, isolation and keyboard use', () => {
  const suite = browserSuite();
  const { device } = suite;

  it('is served by the gateway as the script the build made', async () => {
    const response = await fetch(`${suite.system.gatewayUrl}/v1.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await response.text()).toBe(readFileSync(join(DIST, 'apps', 'widget', 'v1.js'), 'utf8'));
  });

  it('(f) on a page from an origin the widget does not allow, says it cannot connect (the gateway answered 403)', async () => {
    const foreign = await startForeignSite(suite.system.gatewayUrl, suite.demo.widget.key);
    try {
      const page = await (await device()).newPage();
      const answers: Array<{ url: string; status: number; body: unknown }> = [];
      page.on('response', async (response) => {
        if (response.url().includes('/v1/widget/') && response.request().method() === 'POST') {
          answers.push({ url: response.url(), status: response.status(), body: await response.json().catch(() => null) });
        }
      });
      await page.goto(foreign.url);
      const widget = new WidgetOnPage(page);
      await widget.open();
      await waitFor('the refusal shown', async () => ((await widget.status.textContent()) === 'Chat can’t connect from this page.' ? true : undefined), 10_000);
      expect(await widget.input.isDisabled()).toBe(true);
      expect(answers).toEqual([
        { url: `${suite.system.gatewayUrl}/v1/widget/visitors`, status: 403, body: { error: { code: 'origin_not_allowed', message: expect.any(String) } } },
      ]);
      expect(await widget.storage()).toEqual({});
      expect(await widget.lines()).toEqual([]);
    } finally {
      await foreign.close();
    }
  });

  it('(i) works under the demo’s strict Content-Security-Policy without a single violation', async () => {
    const context = await device();
    await context.addInitScript(() => {
      const seen: Violation[] = [];
      (window as unknown as { __violations: Violation[] }).__violations = seen;
      document.addEventListener('securitypolicyviolation', (event: { violatedDirective: string; blockedURI: string }) =>
        seen.push({ directive: event.violatedDirective, blocked: event.blockedURI }),
      );
    });
    const page = await context.newPage();
    const consoleCsp: string[] = [];
    page.on('console', (message) => /Content Security Policy|Trusted Type|Refused to/i.test(message.text()) && consoleCsp.push(message.text()));
    const violations = () => page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);

    const response = await page.goto(suite.demo.url);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'nonce-[^']+' http:\/\/127\.0\.0\.1:\d+\/v1\.js;/);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|strict-dynamic|\*/);

    const widget = new WidgetOnPage(page);
    await widget.open();
    await widget.send('Hello under a strict CSP');
    await widget.waitForText('Hello under a strict CSP');
    await signIn(page, AMAR.name);
    await waitFor('verified', async () => ((await widget.verified()) ? true : undefined), 10_000);
    const conversation = await conversationWith(suite.demo.widget, AMAR.id, 'Hello under a strict CSP');
    await suite.demo.widget.admin.call('POST', `conversations/${conversation.id}/replies`, { text: 'Hello back' });
    await widget.waitForText('Hello back', 'operator');
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitFor('logged out', async () => ((await widget.lines()).length === 0 ? true : undefined), 10_000);

    // The styles came from the constructed stylesheet, which the CSP allows.
    expect(await widget.launcher.evaluate((node) => getComputedStyle(node).borderRadius)).toBe('50%');
    expect(await violations()).toEqual([]);
    expect(consoleCsp).toEqual([]);

    // The listener does hear violations: an inline script is refused.
    const ran = await page.evaluate(() => {
      try {
        const script = document.createElement('script');
        script.src = 'data:text/javascript,window.__ran=1';
        document.body.appendChild(script);
      } catch {
        // a Trusted Types refusal
      }
      return new Promise((resolve) => setTimeout(() => resolve((window as unknown as { __ran?: number }).__ran), 300));
    });
    expect(ran).toBeUndefined();
    expect((await violations()).length).toBeGreaterThan(0);

    // The inbox carries no script at all.
    const inbox = await page.goto(`${suite.demo.url}/inbox`);
    expect(inbox!.headers()['content-security-policy']).toMatch(/^default-src 'none'; style-src 'self'/);
  });

  it('keeps its styles and the page’s apart, and can be used with the keyboard and a screen reader', async () => {
    const page = await (await device()).newPage();
    await page.goto(suite.demo.url);
    const widget = new WidgetOnPage(page);
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.waitFor();

    // The page's `button` and `header` rules do not reach inside, and the widget's do not reach out.
    expect(await widget.launcher.evaluate((node) => getComputedStyle(node).borderRadius)).toBe('50%');
    expect(await page.locator('header.top').evaluate((node) => getComputedStyle(node).backgroundColor)).toBe('rgb(20, 33, 61)');
    expect(await page.locator('inviaro-chat header').evaluate((node) => getComputedStyle(node).backgroundColor)).toBe('rgb(54, 81, 212)');
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('inviaro-chat')).position)).toBe('fixed');

    // Labelled for screen readers.
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Chat with us' });
    await dialog.waitFor();
    expect(await widget.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await widget.launcher.getAttribute('aria-label')).toBe('Close chat');
    const log = page.getByRole('log', { name: 'Messages' });
    expect(await log.getAttribute('aria-live')).toBe('polite');
    const focused = () => page.evaluate(() => document.querySelector('inviaro-chat')!.shadowRoot!.activeElement?.getAttribute('aria-label') ?? null);
    expect(await focused()).toBe('Message'); // focus moved into the panel

    // Enter sends, Shift+Enter is a new line.
    await page.keyboard.type('Line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    await page.keyboard.press('Enter');
    await widget.waitForText('Line one\nline two');
    expect(await log.getByText('You:').count()).toBe(1);

    // Escape closes and gives focus back to the launcher.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused()).toBe('Open chat');
    expect(await widget.launcher.getAttribute('aria-expanded')).toBe('false');
  });
});
