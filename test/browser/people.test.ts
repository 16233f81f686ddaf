import { userHash } from '@inviaro/crypto';
import { WidgetClient } from '@inviaro/test-harness';
import { AMAR, BEA, browserSuite, CHEN, contactsWithMessages, conversationWith, openSignedIn, signIn, waitFor, WidgetOnPage } from './support';

jest.setTimeout(120_000);

// Issue 23: the inbox and the widget as people read them, and enforce mode's sign-in prompt.
describe('the inbox and the widget as people read them', () => {
  const suite = browserSuite();

  it('(j) the inbox shows a contact as one timeline: the devices’ messages interleaved by time, each marked with its device', async () => {
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const claim = { user_id: CHEN.id, user_hash: userHash(CHEN.id, suite.demo.widget.secret) };
    const [laptop, phone] = [await client.newVisitor(), await client.newVisitor()];
    const sent: Array<[string, string]> = [
      [laptop, 'From the laptop'],
      [phone, 'From the phone'],
      [laptop, 'The laptop again'],
    ];
    for (const [visitor, text] of sent) {
      expect((await client.postMessage(visitor, { client_message_id: text, text, ...claim })).status).toBe(202);
      // Stored before the next is sent: the timeline's order is the order they were said in.
      await waitFor(`"${text}" stored`, async () =>
        (await contactsWithMessages(suite.demo.widget)).some(
          (c) => c.user_id === CHEN.id && c.conversations.some((v) => v.messages.some((m) => m.text === text)),
        )
          ? true
          : undefined,
      );
    }

    const operator = await (await suite.device()).newPage();
    await operator.goto(`${suite.demo.url}/inbox`);
    await operator.getByRole('link', { name: CHEN.id }).click();
    const shown = await operator
      .locator('.msg')
      .evaluateAll((nodes) =>
        nodes.map((node) => ({ device: node.getAttribute('data-device'), text: node.lastChild?.textContent, label: node.querySelector('small')?.textContent })),
      );
    expect(shown.map(({ device, text }) => ({ device, text }))).toEqual([
      { device: '1', text: 'From the laptop' },
      { device: '2', text: 'From the phone' },
      { device: '1', text: 'The laptop again' },
    ]);
    expect(shown.map((m) => m.label)).toEqual([expect.stringMatching(/device 1$/), expect.stringMatching(/device 2$/), expect.stringMatching(/device 1$/)]);
    // One card holds the conversation, and one reply box answers it.
    expect(await operator.locator('.card:has(.msg)').count()).toBe(1);
    expect(await operator.getByRole('textbox', { name: /^Reply/ }).count()).toBe(1);
  });

  it('(k) the widget shows each message’s time, labels the operator’s replies, and tells a signed-in visitor they are recognised', async () => {
    const widget = await openSignedIn(await suite.device(), suite.demo, AMAR.id);
    await widget.send('When do you open?');
    await widget.waitForText('When do you open?', 'visitor');
    await widget.waitForVerified(true);
    await widget.page.locator('inviaro-chat .sub').getByText('You’re signed in: we know it’s you').waitFor();

    const conversation = await conversationWith(suite.demo.widget, AMAR.id, 'When do you open?');
    expect((await suite.demo.widget.admin.call('POST', `conversations/${conversation.id}/replies`, { text: 'At nine.' })).status).toBe(201);
    await widget.waitForText('At nine.', 'operator');

    const lines = await widget.page.locator('inviaro-chat .m').evaluateAll((nodes) =>
      nodes.map((node) => {
        const time = node.querySelector('time');
        const label = node.querySelector('.who');
        return {
          author: node.getAttribute('data-author'),
          label: label && label.checkVisibility() ? label.textContent : null,
          time: time && time.checkVisibility() ? time.textContent : null,
          datetime: time?.getAttribute('datetime'),
        };
      }),
    );
    expect(lines).toEqual([
      { author: 'visitor', label: null, time: expect.stringMatching(/^\d{1,2}:\d{2}/), datetime: expect.stringMatching(/^20\d\d-/) },
      { author: 'operator', label: 'Support', time: expect.stringMatching(/^\d{1,2}:\d{2}/), datetime: expect.stringMatching(/^20\d\d-/) },
    ]);
  });

  it('(m) the inbox draws each widget’s verification health: a bar per hour of the last 24, with the totals', async () => {
    // (j) and (k) sent verified messages; one anonymous and one failed claim join them.
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const visitor = await client.newVisitor();
    await client.postMessage(visitor, { client_message_id: 'health-anon', text: 'no claim' });
    await client.postMessage(visitor, { client_message_id: 'health-bad', text: 'bad claim', user_id: CHEN.id, user_hash: 'ab'.repeat(32) });
    const expected = await waitFor('the health report counts the anonymous and the failed claim', async () => {
      const { body } = await suite.demo.widget.admin.call<{ totals: { verified: { total: number }; anonymous: number; failed: { total: number } } }>(
        'GET',
        `widgets/${suite.demo.widget.widgetId}/verification`,
      );
      return body.totals.failed.total > 0 && body.totals.anonymous > 0 ? body.totals : undefined;
    });

    const operator = await (await suite.device()).newPage();
    await operator.goto(`${suite.demo.url}/inbox`);
    await operator.getByRole('link', { name: 'Verification health' }).click();
    const card = operator.locator(`[data-widget-id="${suite.demo.widget.widgetId}"]`);
    await card.getByRole('img', { name: 'Claims per hour, last 24 hours' }).waitFor();
    expect(await card.locator('svg g[data-hour]').count()).toBe(24);
    // Whichever hours they fell in (a test may straddle one), the bars hold all three kinds.
    const kinds = await card.locator('svg g[data-hour] rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('class')));
    expect(new Set(kinds)).toEqual(new Set(['verified', 'anonymous', 'failed']));
    const totals = Object.fromEntries(
      await card.locator('dd[data-total]').evaluateAll((dds) => dds.map((dd) => [dd.getAttribute('data-total'), Number(dd.textContent)])),
    );
    expect(totals).toEqual({ verified: expected.verified.total, anonymous: expected.anonymous, failed: expected.failed.total });
  });

  it('(l) with identity required, shows the widget’s sign-in prompt in place of the composer until the visitor signs in', async () => {
    const { admin, widgetId } = suite.demo.widget;
    const prompt = 'Sign in to Northwind to chat with us.';
    expect((await admin.call('PATCH', `widgets/${widgetId}`, { identity_required: true, sign_in_prompt: prompt })).status).toBe(200);
    try {
      const widget = new WidgetOnPage(await (await suite.device()).newPage());
      await widget.page.goto(suite.demo.url);
      await widget.open();
      const signInPrompt = widget.page.locator('inviaro-chat .signin');
      await signInPrompt.getByText(prompt).waitFor();
      expect(await widget.input.isVisible()).toBe(false);

      await signIn(widget.page, BEA.name); // app.js: /api/login, /api/me, Inviaro('identify', …)
      await widget.waitForVerified(true);
      await widget.input.waitFor({ state: 'visible' });
      expect(await signInPrompt.isVisible()).toBe(false);
      await widget.send('Signed in, so I may chat');
      await widget.waitForText('Signed in, so I may chat', 'visitor');
    } finally {
      await admin.call('PATCH', `widgets/${widgetId}`, { identity_required: false });
    }
  });
});
