import { createWidget, RunningSystem, startSystem, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(120_000);

describe('rate limits on the widget API, per visitor and per widget', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ serviceEnv: { RATE_LIMIT_VISITOR_PER_MINUTE: '5', RATE_LIMIT_WIDGET_PER_MINUTE: '10' } });
  });
  afterAll(() => system?.stop());

  it('answers 429 with Retry-After past a visitor’s limit and past the widget’s, leaving other widgets alone', async () => {
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const alice = await client.newVisitor();
    const bob = await client.newVisitor();
    const post = (token: string, n: number) => client.postMessage(token, { client_message_id: `m${n}`, text: `message ${n}` });

    for (let n = 1; n <= 5; n++) expect((await post(alice, n)).status).toBe(202);
    const limited = await post(alice, 6);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    // Bob is under his own limit, but the widget has now taken 10 calls (2 visitors, 6 + 2 posts).
    expect((await post(bob, 1)).status).toBe(202);
    expect((await post(bob, 2)).status).toBe(202);
    expect((await post(bob, 3)).status).toBe(429);

    const other = await createWidget(system, 'https://other.example');
    const otherClient = new WidgetClient(system.gatewayUrl, other);
    expect((await otherClient.postMessage(await otherClient.newVisitor(), { client_message_id: 'x', text: 'fine' })).status).toBe(202);
  });
});
