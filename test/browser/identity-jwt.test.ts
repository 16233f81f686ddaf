import { createWidget, readEvents } from '@inviaro/test-harness';
import { EVENT_STREAM } from '@inviaro/bus';
import { sign } from 'jsonwebtoken';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { browserSuite, waitFor, WidgetOnPage } from './support';

jest.setTimeout(120_000);

// The widget script with a signed token in its settings (docs/identity-jwt.md, Wiring the page).
describe('the widget with a user_jwt', () => {
  const suite = browserSuite();

  it('sends the token in place of user_id and user_hash, verifies as its sub, and the signed email wins over the page’s', async () => {
    let html = '';
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const widget = await createWidget(suite.system, origin);
      expect((await widget.admin.setIdentityPolicy(widget.widgetId, 'jwt')).status).toBe(200);
      const userJwt = sign({ sub: 'usr_browser', email: 'signed@example.com', name: 'Signed Name' }, widget.secret, { algorithm: 'HS256', expiresIn: '12h' });
      const settings = { key: widget.key, userJwt, userEmail: 'page@example.com' };
      html = `<!doctype html><html><head><title>Shop</title>
<script>window.InviaroSettings = ${JSON.stringify(settings)};</script>
<script src="${suite.system.gatewayUrl}/v1.js" async></script></head><body><h1>Signed in</h1></body></html>`;

      const page = await (await suite.device()).newPage();
      const sent: Array<Record<string, unknown>> = [];
      page.on('request', (request) => {
        if (request.url().includes('/v1/widget/') && request.method() === 'POST') sent.push(JSON.parse(request.postData() ?? '{}'));
      });
      await page.goto(`${origin}/`);
      const onPage = new WidgetOnPage(page);
      await onPage.open();
      await onPage.send('Hello with a token');
      await onPage.waitForText('Hello with a token');
      await waitFor('the verified history', async () => ((await onPage.verified()) ? true : undefined), 30_000);

      const claimed = sent.filter((body) => 'user_jwt' in body);
      expect(claimed.length).toBeGreaterThan(0);
      for (const body of claimed)
        expect({ user_jwt: body.user_jwt, user_id: body.user_id, user_hash: body.user_hash }).toEqual({
          user_jwt: userJwt,
          user_id: undefined,
          user_hash: undefined,
        });
      const verified = await waitFor('the message verified as the token’s sub', async () => {
        const events = await readEvents<Record<string, unknown>>(suite.system.servers.natsUrl, EVENT_STREAM, 'contact.verified');
        return events.find((event) => event.data.widget_id === widget.widgetId && event.data.kind === 'message');
      });
      expect(verified.data).toMatchObject({
        user_id: 'usr_browser',
        email: 'signed@example.com',
        name: 'Signed Name',
        signed_attributes: ['email', 'name'],
        text: 'Hello with a token',
      });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
