import { freePort, WidgetClient, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(120_000);

// A deployment whose API port is public (compose) sets OPS_PORT: health, metrics and the API description
// move there, and the public port serves the product's API alone.
describe('the operator port (OPS_PORT)', () => {
  const suite = widgetSuite();
  let publicUrl: string;
  let opsUrl: string;

  beforeAll(async () => {
    const opsPort = await freePort();
    publicUrl = (await suite.system.start('gateway', { OPS_PORT: String(opsPort) })).url;
    opsUrl = `http://127.0.0.1:${opsPort}`;
  });

  const operatorPaths = ['/health/live', '/health/ready', '/metrics', '/docs', '/openapi.json'];

  it('serves health, metrics and the API description on the operator port', async () => {
    for (const path of operatorPaths) expect([path, (await fetch(`${opsUrl}${path}`)).status]).toEqual([path, 200]);
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toContain('inviaro_http_request_duration_seconds');
  });

  it('never shows them on the public port, which still serves the widget and its script', async () => {
    for (const path of operatorPaths) {
      const answer = await fetch(`${publicUrl}${path}`);
      expect([path, answer.status, await answer.json()]).toEqual([
        path,
        404,
        { error: { code: 'not_found', message: expect.stringContaining('on this port') } },
      ]);
    }
    const client = new WidgetClient(publicUrl, suite.widget);
    const token = await client.newVisitor();
    expect((await client.postMessage(token, { client_message_id: 'ops-1', text: 'through the public port' })).status).toBe(202);
    expect((await fetch(`${publicUrl}/v1.js`)).status).toBe(200);
  });

  it('serves none of the product’s API on the operator port', async () => {
    const answer = await fetch(`${opsUrl}/v1/widget/visitors`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: suite.widget.origin },
      body: JSON.stringify({ key: suite.widget.key }),
    });
    expect(answer.status).toBe(404);
    expect((await fetch(`${opsUrl}/v1.js`)).status).toBe(404);
  });

  it('refuses an operator port equal to the public one at start', async () => {
    const port = String(await freePort());
    await expect(suite.system.start('gateway', { PORT: port, OPS_PORT: port })).rejects.toThrow(/OPS_PORT must differ from PORT/);
  });
});
