import { userHash } from '@inviaro/crypto';
import { INBOUND_STREAM } from '@inviaro/bus';
import { connectTestNats, nth, WidgetClient } from '@inviaro/test-harness';
import {
  AMAR,
  BEA,
  browserSuite,
  CHEN,
  contactsWithMessages,
  Demo,
  openSignedIn,
  signIn,
  signInServerSide,
  startDemo,
  textsOf,
  waitFor,
  WidgetOnPage,
} from './support';

// Browser globals, for the functions that run in the page (page.evaluate): the root typecheck has no DOM lib.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const window: any, document: any, localStorage: any, sessionStorage: any;

jest.setTimeout(120_000);

describe('the widget in a browser: identity across devices, sign-in, logout and rotation', () => {
  const suite = browserSuite();
  const { device } = suite;

  /** A new device whose visitor signed in to the demo site server-side, on its page with the chat open. */
  const signedInPage = async (demo: Demo, userId: string) => openSignedIn(await device(), demo, userId);

  it('(a) folds two devices of one signed-in user into one verified history, live on both', async () => {
    const onLaptop = await signedInPage(suite.demo, AMAR.id);
    await onLaptop.send('Hello from the laptop');
    await onLaptop.waitForText('Hello from the laptop', 'visitor');

    const onPhone = await signedInPage(suite.demo, AMAR.id);
    await onPhone.waitForText('Hello from the laptop');
    expect(await onPhone.verified()).toBe(true);
    expect(await onPhone.token()).not.toEqual(await onLaptop.token());

    await onPhone.send('And from the phone');
    await onPhone.waitForText('And from the phone');
    // The laptop sees the phone's message live, without a reload.
    await onLaptop.waitForText('And from the phone');
    expect(await onLaptop.texts()).toEqual(['Hello from the laptop', 'And from the phone']);

    const contacts = await waitFor('one verified contact with both devices’ messages', async () => {
      const all = await contactsWithMessages(suite.demo.widget);
      const amar = all.filter((c) => c.user_id === AMAR.id);
      return amar.length === 1 && textsOf(nth(amar, 0)).length === 2 ? all : undefined;
    });
    const amar = contacts.find((c) => c.user_id === AMAR.id)!;
    expect(amar.is_verified).toBe(true);
    expect(amar.conversations).toHaveLength(2); // one per device
    expect(textsOf(amar).sort()).toEqual(['And from the phone', 'Hello from the laptop']);
    expect(contacts.filter((c) => !c.is_verified).flatMap(textsOf)).toEqual([]);
  });

  it('(b) turns an anonymous chat into the signed-in user’s when the page calls identify', async () => {
    // Bea chatted earlier on another device.
    const elsewhere = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const otherToken = await elsewhere.newVisitor();
    const claim = { user_id: BEA.id, user_hash: userHash(BEA.id, suite.demo.widget.secret) };
    expect((await elsewhere.postMessage(otherToken, { client_message_id: 'bea-1', text: 'Bea earlier, on her phone', ...claim })).status).toBe(202);

    const context = await device();
    const widget = new WidgetOnPage(await context.newPage());
    await widget.page.goto(suite.demo.url);
    await widget.open();
    await widget.send('A question before signing in');
    await widget.waitForText('A question before signing in');
    expect(await widget.verified()).toBe(false);
    expect(await widget.texts()).toEqual(['A question before signing in']);
    const anonymousToken = await widget.token();

    await signIn(widget.page, BEA.name); // app.js: /api/login, /api/me, Inviaro('identify', …)
    await widget.waitForLines('Bea’s history from both devices', (lines) => lines.length === 2 && !lines.some((l) => l.state));
    expect((await widget.texts()).sort()).toEqual(['A question before signing in', 'Bea earlier, on her phone']);
    expect(await widget.verified()).toBe(true);
    expect(await widget.token()).toBe(anonymousToken);

    await waitFor('the anonymous message folded into Bea’s contact', async () => {
      const all = await contactsWithMessages(suite.demo.widget);
      const bea = all.find((c) => c.user_id === BEA.id);
      const stray = all.filter((c) => !c.is_verified).some((c) => textsOf(c).includes('A question before signing in'));
      return bea && textsOf(bea).includes('A question before signing in') && !stray ? true : undefined;
    });

    // A reload renders the claim server-side; the history is the same.
    await widget.page.reload();
    await widget.open();
    await widget.waitForLines('the history after a reload', (lines) => lines.length === 2);
    expect(await widget.verified()).toBe(true);
  });

  it('(c) leaves nothing for the next person on a shared computer after logout', async () => {
    const shared = await device();
    const widget = new WidgetOnPage(await shared.newPage());
    await widget.page.goto(suite.demo.url);
    await signIn(widget.page, CHEN.name);
    await widget.open();
    await widget.send('Chen’s private question');
    await widget.waitForText('Chen’s private question');
    const chenToken = await widget.token();
    expect(chenToken).toMatch(/^vt_/);

    await widget.page.getByRole('button', { name: 'Log out' }).click(); // app.js: /api/logout, Inviaro('logout')
    await waitFor(
      'the widget to forget Chen',
      async () => (Object.keys(await widget.storage()).length === 0 && (await widget.lines()).length === 0 ? true : undefined),
      10_000,
    );
    expect(await widget.panel.isVisible()).toBe(false);
    const left = await widget.page.evaluate(() => ({
      settings: (window as unknown as { InviaroSettings: Record<string, unknown> }).InviaroSettings,
      widgetText: document.querySelector('inviaro-chat')!.shadowRoot!.textContent,
      storage: { local: localStorage.length, session: sessionStorage.length },
      cookies: document.cookie,
    }));
    expect(Object.keys(left.settings).sort()).toEqual(['key', 'origin']);
    expect(left.widgetText).not.toContain('Chen');
    expect(left.storage).toEqual({ local: 0, session: 0 });
    expect(left.cookies).toBe('');
    // The old token is dead at the gateway too.
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    await waitFor(
      'the old token refused',
      async () => ((await client.call('history', { visitor_token: chenToken })).status === 401 ? true : undefined),
      10_000,
    );

    // The next person: an empty chat, a new visitor.
    await widget.open();
    expect(await widget.lines()).toEqual([]);
    await widget.send('Hi, I am the next person');
    await widget.waitForText('Hi, I am the next person');
    expect(await widget.texts()).toEqual(['Hi, I am the next person']);
    const nextToken = await widget.token();
    expect(nextToken).not.toBe(chenToken);

    // A site that logs out server-side and forgets Inviaro('logout'): the next page load, with no claim, drops the session anyway.
    await signInServerSide(shared, suite.demo, AMAR.id);
    await widget.page.reload();
    await widget.open();
    await widget.send('Amar on the shared computer');
    await widget.waitForText('Amar on the shared computer');
    const amarToken = await widget.token();
    await shared.request.post(`${suite.demo.url}/logout`, { maxRedirects: 0 });
    await widget.page.reload();
    await waitFor(
      'the widget to drop Amar’s session on an anonymous page',
      async () => (Object.keys(await widget.storage()).length === 0 ? true : undefined),
      10_000,
    );
    await widget.open();
    expect(await widget.lines()).toEqual([]);
    await waitFor('Amar’s token refused', async () => ((await client.call('history', { visitor_token: amarToken })).status === 401 ? true : undefined), 10_000);
  });

  it('(d) after a secret rotation, a page holding the old hash chats on anonymously and stops showing the verified history', async () => {
    const rotating = await startDemo(suite.system); // a widget of its own: this test rotates its secret
    try {
      const widget = await signedInPage(rotating, AMAR.id);
      await widget.send('Before rotation');
      await widget.waitForText('Before rotation');
      // Stored in Amar's contact before the rotation, and the page showing the verified conversation.
      await waitFor('“Before rotation” stored as Amar’s', async () => {
        const amar = (await contactsWithMessages(rotating.widget)).find((c) => c.user_id === AMAR.id);
        return amar && textsOf(amar).includes('Before rotation') ? true : undefined;
      });
      await widget.waitForVerified(true);

      expect((await rotating.widget.admin.rotateSecret(rotating.widget.widgetId)).status).toBe(200);
      // The gateway ends the verified stream; the widget reconnects, re-reads, and the old hash no longer verifies.
      await widget.waitForLines('the verified history gone', (lines) => lines.length === 0);
      expect(await widget.verified()).toBe(false);

      await widget.send('After rotation');
      await widget.waitForText('After rotation');
      expect(await widget.texts()).toEqual(['After rotation']);

      // The demo server still signs with the old secret: a fresh page holds an old hash from the start.
      const fresh = await signedInPage(rotating, AMAR.id);
      await fresh.send('A new device after rotation');
      await fresh.waitForText('A new device after rotation');
      expect(await fresh.texts()).toEqual(['A new device after rotation']);
      expect(await fresh.verified()).toBe(false);

      const contacts = await waitFor('the post-rotation messages stored anonymously', async () => {
        const all = await contactsWithMessages(rotating.widget);
        const anonymous = all.filter((c) => !c.is_verified).flatMap(textsOf);
        return anonymous.includes('After rotation') && anonymous.includes('A new device after rotation') ? all : undefined;
      });
      expect(textsOf(contacts.find((c) => c.user_id === AMAR.id)!)).toEqual(['Before rotation']);
      const failures = await rotating.widget.admin.failures();
      expect(failures.body.failures).toEqual(expect.arrayContaining([expect.objectContaining({ claimed_user_id: AMAR.id, reason: 'stale_secret' })]));
    } finally {
      await rotating.stop();
    }
  });

  /** The verifier has taken every message.inbound off its work queue: what was sent is checked under the secret of that moment. */
  async function verifierCaughtUp(): Promise<void> {
    const nc = await connectTestNats(suite.system.servers.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      await waitFor(
        'the verifier to have checked every message',
        async () => ((await jsm.streams.info(INBOUND_STREAM)).state.messages === 0 ? true : undefined),
        15_000,
      );
    } finally {
      await nc.close();
    }
  }

  it('(e) a message still on its way when the secret rotates leaves the page with the verified conversation', async () => {
    const rotating = await startDemo(suite.system);
    const contacts = suite.system.processes.find((p) => p.name === 'contacts')!;
    try {
      const widget = await signedInPage(rotating, AMAR.id);
      await widget.waitForVerified(true);

      // Contacts paused: the message is accepted (202) but not stored before the rotation ends the verified stream.
      contacts.child.kill('SIGSTOP');
      try {
        await widget.send('On its way at rotation');
        await widget.waitForText('On its way at rotation');
        await verifierCaughtUp();
        const reconnected = widget.page.waitForRequest((request) => request.url().endsWith('/v1/widget/stream'), { timeout: 15_000 });
        expect((await rotating.widget.admin.rotateSecret(rotating.widget.widgetId)).status).toBe(200);
        await reconnected;
      } finally {
        contacts.child.kill('SIGCONT');
      }
      await widget.waitForVerified(false);
      await widget.waitForLines('the verified conversation gone', (lines) => lines.length === 0);

      // It was sent under the old secret before the rotation: stored once, in the verified contact.
      const stored = await waitFor('the message stored in Amar’s contact', async () => {
        const amar = (await contactsWithMessages(rotating.widget)).find((c) => c.user_id === AMAR.id);
        return amar && textsOf(amar).length > 0 ? textsOf(amar) : undefined;
      });
      expect(stored).toEqual(['On its way at rotation']);
      expect(await widget.lines()).toEqual([]);
    } finally {
      contacts.child.kill('SIGCONT');
      await rotating.stop();
    }
  });
});
