import { userHash } from '@inviaro/crypto';
import { nth, WidgetClient } from '@inviaro/test-harness';
import { AMAR, BEA, browserSuite, CHEN, contactsWithMessages, conversationWith, openSignedIn, screenshot, signIn, waitFor, WidgetOnPage } from './support';

// Browser globals, for the functions that run in the page (page.evaluate): the root typecheck has no DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any, document: any, Event: any;

jest.setTimeout(150_000);

describe('the widget in a browser: live replies, outages and the loading queue', () => {
  const suite = browserSuite();
  const { device } = suite;

  it('(e) shows an operator’s replies live, from the admin API and from the demo inbox', async () => {
    const widget = await openSignedIn(await device(), suite.demo, AMAR.id);
    await widget.send('Do you ship to Norway?');
    await widget.waitForText('Do you ship to Norway?');

    const conversation = await conversationWith(suite.demo.widget, AMAR.id, 'Do you ship to Norway?');

    // Closed with Escape, focus back on the launcher; the reply arrives on the stream and is announced on the launcher.
    await widget.input.press('Escape');
    await widget.panel.waitFor({ state: 'hidden' });
    const readsBefore = widget.callsTo('history');
    const reply = await suite.demo.widget.admin.call<{ message_id: string }>('POST', `conversations/${conversation.id}/replies`, {
      text: 'Yes: 3 to 5 working days.',
    });
    expect(reply.status).toBe(201);
    await widget.waitForText('Yes: 3 to 5 working days.', 'operator');
    expect(widget.callsTo('history')).toBe(readsBefore); // live, not re-read
    await widget.page.getByRole('button', { name: 'Open chat, 1 new message' }).waitFor();

    // An operator answers from the demo's inbox (server-side admin calls).
    const operator = await (await device()).newPage();
    await operator.goto(`${suite.demo.url}/inbox`);
    await operator.getByRole('link', { name: AMAR.name }).click();
    await operator.getByRole('textbox', { name: 'Reply' }).fill('Anything else I can help with?');
    await operator.getByRole('button', { name: 'Send reply' }).click();
    await operator.getByText('Anything else I can help with?').waitFor();
    await widget.waitForText('Anything else I can help with?', 'operator');
    expect(widget.callsTo('history')).toBe(readsBefore);

    await widget.page.getByRole('button', { name: 'Open chat, 2 new messages' }).click();
    await widget.send('Great, thanks!');
    await widget.waitForText('Great, thanks!');
    expect(await widget.texts()).toEqual(['Do you ship to Norway?', 'Yes: 3 to 5 working days.', 'Anything else I can help with?', 'Great, thanks!']);

    // Some other traffic for the inbox: an anonymous visitor and a claim that fails.
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    await client.postMessage(await client.newVisitor(), { client_message_id: 'anon-1', text: 'Is there a free plan?' });
    await client.postMessage(await client.newVisitor(), {
      client_message_id: 'forged-1',
      text: 'Let me in',
      user_id: BEA.id,
      user_hash: userHash(BEA.id, 'f'.repeat(64)),
    });
    await waitFor('the failure listed', async () => ((await suite.demo.widget.admin.failures()).body.failures.length ? true : undefined));
    await waitFor('three contacts', async () => ((await contactsWithMessages(suite.demo.widget)).length >= 3 ? true : undefined));

    await screenshot(widget.page, 'demo-widget.png');
    await operator.reload();
    await screenshot(operator, 'inbox-contact.png');
    await operator.goto(`${suite.demo.url}/inbox`);
    await operator.getByText('Let me in').or(operator.getByText(BEA.id)).first().waitFor();
    await screenshot(operator, 'inbox.png');
  });

  it('(g) keeps messages typed offline or during an outage and sends each exactly once when the gateway answers', async () => {
    const context = await device();
    const widget = new WidgetOnPage(await context.newPage());
    const attempts = new Map<string, Set<string>>(); // text → client_message_ids used
    widget.page.on('request', (request) => {
      if (!request.url().endsWith('/v1/widget/messages') || request.method() !== 'POST') return;
      const body = request.postDataJSON() as { text: string; client_message_id: string };
      attempts.set(body.text, (attempts.get(body.text) ?? new Set()).add(body.client_message_id));
    });
    await widget.page.goto(suite.demo.url);
    await widget.open();
    await widget.send('Online first');
    await widget.waitForText('Online first');

    // 1. The browser goes offline.
    await context.setOffline(true);
    await widget.send('Typed offline, one');
    await widget.send('Typed offline, two');
    await widget.waitForLines('both waiting', (lines) => lines.filter((l) => l.state === 'waiting').length === 2);
    await waitFor('the offline notice', async () => ((await widget.status.textContent())?.includes('offline') ? true : undefined), 10_000);
    const saved = JSON.parse(nth(Object.values(await widget.storage()), 0)) as { o: Array<{ c: string; x: string }> };
    expect(saved.o.map((p) => p.x)).toEqual(['Typed offline, one', 'Typed offline, two']);
    await context.setOffline(false);
    await widget.waitForText('Typed offline, two', 'visitor', 20_000);
    await widget.waitForText('Typed offline, one');

    // 2. The gateway is down (killed), then back on the same address.
    const gateway = suite.system.processes.find((p) => p.name === 'gateway' && p.child.exitCode === null && p.child.signalCode === null)!;
    await gateway.stop('SIGKILL');
    await widget.send('During the outage, one');
    await widget.send('During the outage, two');
    await widget.waitForLines('outage messages waiting', (lines) => lines.filter((l) => l.state === 'waiting').length === 2);
    await suite.system.start('gateway');
    await widget.waitForText('During the outage, two', 'visitor', 40_000);
    await widget.waitForText('During the outage, one');

    // 3. A 503 with Retry-After, then an answer lost after the gateway stored the message, then a reload with the message still unsent.
    let calls = 0;
    await widget.page.route(/\/v1\/widget\/messages$/, async (route) => {
      calls++;
      if (calls === 1) {
        await route.fulfill({
          status: 503,
          headers: { 'retry-after': '1', 'access-control-allow-origin': suite.demo.url },
          contentType: 'application/json',
          body: '{"error":{"code":"stream_unavailable","message":"try again"}}',
        });
      } else if (calls === 2) {
        await route.fetch(); // the gateway accepts and stores it; the browser never hears back
        await route.abort('connectionreset');
      } else {
        await route.fallback();
      }
    });
    await widget.send('Through a 503 and a lost answer');
    await widget.waitForText('Through a 503 and a lost answer', 'visitor', 20_000);
    expect(calls).toBe(3);
    await widget.page.unroute(/\/v1\/widget\/messages$/);

    await widget.page.route(/\/v1\/widget\/messages$/, (route) => route.abort('connectionrefused'));
    await widget.send('Survives a reload');
    await widget.waitForLines('waiting', (lines) => lines.some((l) => l.text === 'Survives a reload' && l.state === 'waiting'));
    await widget.page.reload();
    await widget.open();
    await widget.waitForLines('still waiting after the reload', (lines) => lines.some((l) => l.text === 'Survives a reload' && l.state));
    await widget.page.unroute(/\/v1\/widget\/messages$/);
    await widget.page.evaluate(() => window.dispatchEvent(new Event('online')));
    await widget.waitForText('Survives a reload', 'visitor', 20_000);

    const texts = [
      'Typed offline, one',
      'Typed offline, two',
      'During the outage, one',
      'During the outage, two',
      'Through a 503 and a lost answer',
      'Survives a reload',
    ];
    const rows = await waitFor('every message stored', async () => {
      const found = await suite.system.sql<{ text: string; n: number }>('SELECT text, count(*)::int AS n FROM messages WHERE text = ANY($1) GROUP BY text', [
        texts,
      ]);
      return found.length === texts.length ? found : undefined;
    });
    expect(Object.fromEntries(rows.map((r) => [r.text, r.n]))).toEqual(Object.fromEntries(texts.map((t) => [t, 1])));
    // Each message was retried under one client_message_id, and is shown once.
    for (const text of texts) expect(attempts.get(text)?.size).toBe(1);
    expect(attempts.get('Through a 503 and a lost answer')).toBeDefined();
    const shown = await widget.texts();
    expect(shown.filter((t) => texts.includes(t)).sort()).toEqual([...texts].sort());
    expect(JSON.parse(nth(Object.values(await widget.storage()), 0)).o ?? []).toEqual([]);
  });

  it('(h) runs calls made before the script loaded (the queue stub)', async () => {
    const elsewhere = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const claim = { user_id: BEA.id, user_hash: userHash(BEA.id, suite.demo.widget.secret) };
    await elsewhere.postMessage(await elsewhere.newVisitor(), { client_message_id: 'bea-queue', text: 'Bea, from her other laptop', ...claim });

    const context = await device();
    const page = await context.newPage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/v1\.js$/, async (route) => {
      await gate;
      await route.fallback();
    });
    await page.goto(suite.demo.url, { waitUntil: 'domcontentloaded' });
    await signIn(page, BEA.name); // app.js calls Inviaro('identify', …) while v1.js is still loading
    await page.evaluate(() => (window as unknown as { Inviaro: (command: string) => void }).Inviaro('open'));
    const queued = await page.evaluate(() => {
      const inviaro = (window as unknown as { Inviaro: { q?: IArguments[]; loaded?: boolean } }).Inviaro;
      return { commands: Array.from(inviaro.q ?? [], (call) => call[0]), loaded: inviaro.loaded ?? false, mounted: !!document.querySelector('inviaro-chat') };
    });
    expect(queued).toEqual({ commands: ['identify', 'open'], loaded: false, mounted: false });

    release();
    const widget = new WidgetOnPage(page);
    await widget.panel.waitFor({ state: 'visible' });
    await widget.waitForText('Bea, from her other laptop');
    expect(await widget.verified()).toBe(true);
  });

  it('(i) answers “why isn’t this user verified?” in the inbox: contacts by user id or email, failures by user and reason, a page at a time, each to its conversation', async () => {
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const forged = (userId: string) => ({ user_id: userId, user_hash: userHash(userId, 'f'.repeat(64)) });
    // Chen, verified, with an email; a browser that claims usr_4242 twice with a bad hash; 21 other failed claims (two pages).
    await client.postMessage(await client.newVisitor(), {
      client_message_id: 'chen-1',
      text: 'Chen here',
      user_id: CHEN.id,
      user_hash: userHash(CHEN.id, suite.demo.widget.secret),
      email: 'Chen@Example.com',
    });
    const claimant = await client.newVisitor();
    for (const i of [1, 2])
      await client.postMessage(claimant, { client_message_id: `4242-${i}`, text: `Why am I not recognised? (${i})`, ...forged('usr_4242') });
    for (let i = 0; i < 21; i++)
      await client.postMessage(await client.newVisitor(), { client_message_id: `other-${i}`, text: 'hi', ...forged(`usr_other_${i}`) });
    await waitFor('the failures stored, each in its conversation', async () => {
      const { failures } = (await suite.demo.widget.admin.failures('?reason=mismatch&limit=200')).body;
      return failures.length >= 22 && failures.every((failure) => failure.conversation_id) ? true : undefined;
    });

    const operator = await (await device()).newPage();
    await operator.goto(`${suite.demo.url}/inbox`);
    const search = operator.getByRole('textbox', { name: 'Find a contact by user id or email' });
    await search.fill(CHEN.id);
    await search.press('Enter');
    const rows = operator.locator('tr[data-contact-id]');
    await waitFor('Chen found by user id', async () =>
      (await rows.count()) === 1 && (await rows.first().textContent())?.includes(CHEN.id) ? true : undefined,
    );
    await operator.getByRole('textbox', { name: 'Find a contact by user id or email' }).fill('chen@example.COM');
    await operator.getByRole('button', { name: 'Search' }).click();
    await waitFor('Chen found by email', async () =>
      operator.url().includes('q=chen%40example.COM') && (await rows.count()) === 1 && (await rows.first().textContent())?.includes(CHEN.id) ? true : undefined,
    );

    // The failures page: every failure, 20 to a page, filtered by reason on both pages.
    await operator.getByRole('link', { name: 'Failures', exact: true }).click();
    await operator.getByRole('textbox', { name: 'Reason' }).fill('mismatch');
    await operator.getByRole('button', { name: 'Filter' }).click();
    const failureRows = operator.locator('tr[data-failure]');
    await waitFor('a first page of 20', async () => ((await failureRows.count()) === 20 ? true : undefined));
    await operator.getByRole('link', { name: 'Older failures →' }).click();
    expect(new URL(operator.url()).searchParams.get('reason')).toBe('mismatch');
    const onSecondPage = await failureRows.count();
    expect(onSecondPage).toBeGreaterThanOrEqual(2);
    const totalMismatches = ((await suite.demo.widget.admin.failures('?reason=mismatch&limit=200')).body.failures as unknown[]).length;
    expect(20 + onSecondPage).toBe(totalMismatches);

    // By user: one row, seen twice, and the conversation it came from.
    await operator.getByRole('textbox', { name: 'User id' }).fill('usr_4242');
    await operator.getByRole('button', { name: 'Filter' }).click();
    await waitFor('usr_4242’s failure alone', async () => ((await failureRows.count()) === 1 ? true : undefined));
    expect((await failureRows.first().locator('td').allTextContents()).slice(1, 4)).toEqual(['usr_4242', 'mismatch', '2']);
    await failureRows.first().getByRole('link', { name: 'Open conversation' }).click();
    await operator.getByText('Why am I not recognised? (2)').waitFor();
    expect(await operator.getByText('Why am I not recognised? (1)').count()).toBe(1);
    // The contact's page lists its device's failed claims.
    const failedClaims = operator.locator('tr[data-failed-claim]');
    expect(await failedClaims.count()).toBe(1);
    expect((await failedClaims.first().locator('td').allTextContents()).slice(1)).toEqual(['usr_4242', 'mismatch', '2']);
  });
});
