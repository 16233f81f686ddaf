import { metricValue, WidgetClient, WidgetStream } from '@inviaro/test-harness';
import { AMAR, browserSuite, conversationWith, openSignedIn, waitFor } from './support';

jest.setTimeout(150_000);

/** Short, so that a widget goes through several reconnects within a test. */
const MAX_SECONDS = 3;
/** Each stream ends in the last tenth of its lifetime (apps/gateway/src/live/live-stream.ts). */
const EARLIEST_END_MS = MAX_SECONDS * 900;

describe('live streams end at their maximum lifetime, and the widget rides over it', () => {
  const suite = browserSuite({ serviceEnv: { LIVE_STREAM_MAX_SECONDS: String(MAX_SECONDS) } });

  it('ends a stream cleanly once it has lasted its maximum lifetime, and holds nothing of it after', async () => {
    const client = new WidgetClient(suite.system.gatewayUrl, suite.demo.widget);
    const token = await client.newVisitor();
    const asked = Date.now();
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.demo.widget, { visitor_token: token });
    try {
      await waitFor('the stream to end by itself', async () => (stream.isClosed ? true : undefined), MAX_SECONDS * 1000 + 5_000, 20);
      expect(Date.now() - asked).toBeGreaterThanOrEqual(EARLIEST_END_MS);
      expect(stream.events).toEqual([{ event: 'ready', data: { is_verified: false } }]);
    } finally {
      stream.close();
    }
    await waitFor(
      'the gateway to hold no stream',
      async () => ((await metricValue(suite.system.gatewayUrl, 'inviaro_live_streams')) === 0 ? true : undefined),
      10_000,
    );
  });

  it('keeps an open widget up to date across its reconnects: every reply shown once, in order, and nothing said to the visitor', async () => {
    const widget = await openSignedIn(await suite.device(), suite.demo, AMAR.id);
    await widget.send('Is my order on its way?');
    await widget.waitForText('Is my order on its way?');
    const conversation = await conversationWith(suite.demo.widget, AMAR.id, 'Is my order on its way?');

    // Replies every 300 ms until the widget has opened its third stream (two ends by lifetime), then one more.
    const replies: string[] = [];
    const statuses = new Set<string>();
    const firstStreams = widget.callsTo('stream');
    while (widget.callsTo('stream') < firstStreams + 2 || replies.length < 2) {
      const text = `Update ${replies.length + 1}`;
      expect((await suite.demo.widget.admin.call('POST', `conversations/${conversation.id}/replies`, { text })).status).toBe(201);
      replies.push(text);
      statuses.add((await widget.status.textContent()) ?? '');
      await new Promise((resolve) => setTimeout(resolve, 300));
      if (replies.length > 40) throw new Error(`the widget did not reconnect: ${widget.callsTo('stream')} stream requests`);
    }
    const last = `Update ${replies.length + 1}`;
    expect((await suite.demo.widget.admin.call('POST', `conversations/${conversation.id}/replies`, { text: last })).status).toBe(201);
    replies.push(last);

    await widget.waitForText(last, 'operator');
    // The last reply can come live before the new stream's history read has brought the ones sent during the
    // reconnect: the widget settles on every reply once, in order (a timeout names what it last showed).
    await waitFor('every reply shown once, in order', async () => {
      expect(await widget.texts()).toEqual(['Is my order on its way?', ...replies]);
      return true;
    });
    // A lifetime's end is not an outage: the widget never said it was reconnecting.
    expect([...statuses].filter((status) => status !== '')).toEqual([]);
  });
});
