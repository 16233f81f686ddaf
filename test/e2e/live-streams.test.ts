import { userHash } from '@inviaro/crypto';
import { SecretCache } from '@inviaro/widget-secrets';
import {
  createWidget,
  DEMO_ORIGIN,
  metricTotal,
  metricValue,
  nth,
  RATE_LIMITS_LIFTED,
  waitFor,
  WidgetClient,
  WidgetStream,
  widgetSuite,
} from '@inviaro/test-harness';
import Redis from 'ioredis';
import { connect as connectTcp } from 'node:net';

jest.setTimeout(180_000);

const STREAMS_PER_VISITOR = 2;
const STREAMS_PER_ADDRESS = 5;
/** Logouts sent 0 to 5 ms after a stream was asked for: across the stream's claim check, where the race was. */
const LOGOUT_RACE_TRIALS = 60;

describe('live streams are bounded and hold nothing past their connection', () => {
  const suite = widgetSuite({
    serviceEnv: {
      LIVE_STREAMS_PER_VISITOR: String(STREAMS_PER_VISITOR),
      LIVE_STREAMS_PER_ADDRESS: String(STREAMS_PER_ADDRESS),
      LIVE_STREAM_BACKPRESSURE_SECONDS: '1',
      ...RATE_LIMITS_LIFTED,
    },
  });
  const claim = (userId: string, secret = suite.widget.secret) => ({ user_id: userId, user_hash: userHash(userId, secret) });
  const gatewayHolds = async () => ({
    streams: await metricValue(suite.system.gatewayUrl, 'inviaro_live_streams'),
    timers: await metricValue(suite.system.gatewayUrl, 'inviaro_live_stream_timers'),
  });
  const holdsNothing = () =>
    waitFor(
      'the gateway to hold no stream',
      async () => {
        const held = await gatewayHolds();
        return held.streams === 0 && held.timers === 0 ? held : undefined;
      },
      20_000,
    );

  it(`lets one visitor hold at most ${STREAMS_PER_VISITOR} streams, and another once one closes`, async () => {
    const token = await suite.client.newVisitor();
    const open = await Promise.all(
      Array.from({ length: STREAMS_PER_VISITOR }, () => WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token })),
    );
    // Read as a plain request: a stream that were opened instead would never end.
    const abort = new AbortController();
    const refused = await fetch(`${suite.system.gatewayUrl}/v1/widget/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: suite.widget.origin },
      body: JSON.stringify({ key: suite.widget.key, visitor_token: token }),
      signal: abort.signal,
    });
    if (refused.status !== 429) abort.abort();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual({ error: { code: 'too_many_streams', message: expect.any(String) } });
    // Another visitor is not affected.
    (await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor() })).close();
    nth(open, 0).close();
    await waitFor(
      'room for a new stream',
      async () => {
        try {
          const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token });
          open.push(stream);
          return true;
        } catch {
          return undefined;
        }
      },
      10_000,
    );
    for (const stream of open) stream.close();
    await holdsNothing();
  });

  it(`lets one client address hold at most ${STREAMS_PER_ADDRESS} streams, whatever visitors they are for, and serves other addresses`, async () => {
    const hoarder = '127.0.0.4';
    const held: WidgetStream[] = [];
    try {
      for (let i = 0; i < STREAMS_PER_ADDRESS; i++) {
        const answer = await WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor() }, hoarder);
        expect(answer.status).toBe(200);
        held.push(answer.stream!);
      }
      const tooMany = {
        status: 429,
        retryAfter: expect.stringMatching(/^[1-9]\d*$/),
        error: { error: { code: 'too_many_streams', message: expect.any(String) } },
      };
      const refused = await WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor() }, hoarder);
      refused.stream?.close();
      expect({ status: refused.status, retryAfter: refused.retryAfter, error: refused.error }).toEqual(tooMany);
      // Refused before its token is looked up: a made-up one gets the same answer, not a 401.
      const madeUp = await WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: 'vt_made_up' }, hoarder);
      madeUp.stream?.close();
      expect({ status: madeUp.status, retryAfter: madeUp.retryAfter, error: madeUp.error }).toEqual(tooMany);
      // Another address is served meanwhile.
      const elsewhere = await WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor() }, '127.0.0.5');
      expect(elsewhere.status).toBe(200);
      elsewhere.stream!.close();
      // A closed stream makes room at the hoarding address again.
      held.shift()!.close();
      const again = await waitFor(
        'room at the address once one stream closed',
        async () => {
          const answer = await WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor() }, hoarder);
          return answer.stream;
        },
        10_000,
      );
      held.push(again);
    } finally {
      for (const stream of held) stream.close();
    }
    await holdsNothing();
  });

  it('closes a stream whose reader stops reading', async () => {
    const token = await suite.client.newVisitor();
    const url = new URL(suite.system.gatewayUrl);
    const body = JSON.stringify({ key: suite.widget.key, visitor_token: token });
    const socket = connectTcp(Number(url.port), url.hostname);
    let answered = '';
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        answered += chunk.toString();
        // Reads the answer's head, then never reads again.
        if (answered.includes('event: ready')) {
          socket.pause();
          resolve();
        }
      });
      socket.write(
        `POST /v1/widget/stream HTTP/1.1\r\nhost: ${url.host}\r\norigin: ${DEMO_ORIGIN}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    expect(answered).toMatch(/^HTTP\/1.1 200/);
    expect((await gatewayHolds()).streams).toBe(1);
    try {
      // Up to 16 MB: more than the kernel's socket buffers take (a few MB on loopback), so the gateway's writes back up.
      const text = 'x'.repeat(10_000);
      for (let batch = 0; batch < 80; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) => suite.client.postMessage(token, { client_message_id: `flood-${batch}-${i}`, text })),
        );
        expect(answers.every((a) => a.status === 202)).toBe(true);
        if ((await gatewayHolds()).streams === 0) break;
      }
      await holdsNothing();
    } finally {
      socket.destroy();
    }
  });

  it('holds no listener or timer for clients that left while their stream was being set up', async () => {
    const token = await suite.client.newVisitor();
    const verifier = suite.system.processes.find((p) => p.name === 'verifier')!;
    const checksBefore = await metricTotal(verifier.url, 'inviaro_claim_checks_total', {});
    // With the verifier paused, each stream waits on its claim check, and its client leaves meanwhile.
    verifier.child.kill('SIGSTOP');
    try {
      const aborted = Array.from({ length: 5 }, async () => {
        const abort = new AbortController();
        const request = fetch(`${suite.system.gatewayUrl}/v1/widget/stream`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: suite.widget.origin },
          body: JSON.stringify({ key: suite.widget.key, visitor_token: token, ...claim('usr_gone') }),
          signal: abort.signal,
        }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 300));
        abort.abort();
        await request;
      });
      await Promise.all(aborted);
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      verifier.child.kill('SIGCONT');
    }
    // The claim checks answer now, within their timeout (the verifier's counter says when); the gateway must not open streams for the clients that left.
    await waitFor('the five claim checks answered', async () =>
      (await metricTotal(verifier.url, 'inviaro_claim_checks_total', {})) >= checksBefore + 5 ? true : undefined,
    );
    // A stream set up after them through the same verifier and gateway: once it is open, those answers were handled.
    const witness = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor(), ...claim('usr_witness') });
    witness.close();
    await holdsNothing();
    // And they took none of the visitor's streams.
    const stream = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: token });
    stream.close();
  });

  it('never leaves a stream open past a logout answered while it was being set up', async () => {
    const user = claim('usr_racing');
    // The user on another device: its delivery is the sign that every stream of the user had its chance to receive.
    const witness = await WidgetStream.open(suite.system.gatewayUrl, suite.widget, { visitor_token: await suite.client.newVisitor(), ...user });
    const raced: WidgetStream[] = [];
    try {
      for (let trial = 0; trial < LOGOUT_RACE_TRIALS; trial++) {
        const token = await suite.client.newVisitor();
        const asked = WidgetStream.request(suite.system.gatewayUrl, suite.widget, { visitor_token: token, ...user });
        await new Promise((resolve) => setTimeout(resolve, trial % 6));
        expect((await suite.client.call('logout', { visitor_token: token })).status).toBe(204);
        const answer = await asked;
        if (answer.stream) raced.push(answer.stream);
        // Refused as logged out, or served and then ended; never anything else (a 429 would hide a leak).
        expect([200, 401]).toContain(answer.status);
      }
      // Some trials must have been served before their logout, or none reached the window where the race was.
      expect(raced.length).toBeGreaterThan(0);
      const device = await suite.client.newVisitor();
      expect((await suite.client.postMessage(device, { client_message_id: 'after-the-logouts', text: 'sent after every logout', ...user })).status).toBe(202);
      await waitFor('the witness to receive the user’s message', async () => (witness.messages().length > 0 ? true : undefined), 20_000);
      expect(raced.filter((stream) => stream.messages().length > 0).length).toBe(0);
      await waitFor(
        'every stream opened around a logout to end',
        async () => {
          const open = raced.filter((stream) => !stream.isClosed).length;
          if (open > 0) throw new Error(`${open} of ${raced.length} served streams still open`);
          return true;
        },
        5_000,
      );
    } finally {
      // A stream left open would hold the gateway's shutdown.
      for (const stream of [witness, ...raced]) stream.close();
    }
    await holdsNothing();
  });

  it('ends its streams when the gateway stops, so that they do not hold its stop', async () => {
    const stopping = await suite.system.start('gateway');
    const stream = await WidgetStream.open(stopping.url, suite.widget, { visitor_token: await suite.client.newVisitor() });
    try {
      stopping.child.kill('SIGTERM');
      expect(await waitFor('the stopping gateway to exit', async () => stopping.child.exitCode ?? undefined, 10_000)).toBe(0);
      await stream.ended;
    } finally {
      stream.close();
      await stopping.stop('SIGKILL');
    }
  });

  it('ends a verified stream whose widget’s secret version moved on, even when no rotation event reached the gateway', async () => {
    const widget = await createWidget(suite.system, DEMO_ORIGIN);
    const userClaim = { user_id: 'usr_marked', user_hash: userHash('usr_marked', widget.secret) };
    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const stream = await WidgetStream.open(suite.system.gatewayUrl, widget, { visitor_token: await client.newVisitor(), ...userClaim });
    expect(stream.events[0]).toEqual({ event: 'ready', data: { is_verified: true } });

    // What a rotation writes to Redis before its commit, without the event that follows it.
    const redis = new Redis(suite.system.servers.redisUrl);
    try {
      await new SecretCache(redis, 60).invalidate(widget.widgetId, { liveFrom: 2, generation: 1 });
    } finally {
      redis.disconnect();
    }
    // Still verifies (the database did not rotate): the user's new message is stored, and the stream must not see it.
    const device = await client.newVisitor();
    expect((await client.postMessage(device, { client_message_id: 'marked', text: 'after the marker', ...userClaim })).status).toBe(202);
    await waitFor('the stream to end', async () => (stream.isClosed ? true : undefined), 20_000);
    expect(stream.messages()).toEqual([]);
  });
});
