import { userHash } from '@inviaro/crypto';
import { ensureStreams, EVENT_STREAM, ROLE_NEEDS } from '@inviaro/bus';
import { connectTestNats, readiness, ServiceProcess, waitFor, WidgetStream, widgetSuite } from '@inviaro/test-harness';
import { CommonConfig } from '@inviaro/config';

jest.setTimeout(180_000);

/** How long the server keeps an instance's own consumer while nobody pulls (60 s by default): a pause outlasts it. */
const INACTIVE_SECONDS = 10;

describe('revocation reaches every gateway, through partitions', () => {
  const suite = widgetSuite({ serviceEnv: { OWN_CONSUMER_INACTIVE_SECONDS: String(INACTIVE_SECONDS) } });
  let other: ServiceProcess;

  beforeAll(async () => {
    other = await suite.system.start('gateway');
  });

  const claim = (userId: string, secret = suite.widget.secret) => ({ user_id: userId, user_hash: userHash(userId, secret) });
  const ephemeralConsumers = async () => {
    const nc = await connectTestNats(suite.system.servers.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      return (await jsm.consumers.list(EVENT_STREAM).next()).filter((c) => !c.config.durable_name).map((c) => c.name);
    } finally {
      await nc.close();
    }
  };

  it('a logout through one gateway ends the visitor’s stream on the other', async () => {
    const token = await suite.client.newVisitor();
    const stream = await WidgetStream.open(other.url, suite.widget, { visitor_token: token });
    try {
      expect((await suite.client.call('logout', { visitor_token: token })).status).toBe(204);
      await waitFor('the stream on the other gateway to end', async () => (stream.isClosed ? true : undefined), 15_000);
    } finally {
      stream.close();
    }
  });

  it('a gateway paused until the server deleted its consumers ends its verified stream when the secret is rotated after it resumes', async () => {
    const token = await suite.client.newVisitor();
    const stream = await WidgetStream.open(other.url, suite.widget, { visitor_token: token, ...claim('usr_paused') });
    expect(stream.events[0]).toEqual({ event: 'ready', data: { is_verified: true } });
    try {
      await pauseThenRotate(stream);
    } finally {
      other.child.kill('SIGCONT');
      stream.close();
    }
  });

  it('a logout through one gateway ends the visitor’s stream on another that was paused until the server deleted its consumers', async () => {
    const token = await suite.client.newVisitor();
    const stream = await WidgetStream.open(other.url, suite.widget, { visitor_token: token });
    try {
      await pauseUntilConsumersGone();
      expect((await suite.client.call('logout', { visitor_token: token })).status).toBe(204);
      await waitFor('the stream on the once-paused gateway to end', async () => (stream.isClosed ? true : undefined), 30_000);
    } finally {
      other.child.kill('SIGCONT');
      stream.close();
    }
  });

  /**
   * Pauses the other gateway until the server has deleted its own consumers (only the running gateway's
   * are left: the sign that the pause outlasted the inactive threshold), then resumes it.
   */
  async function pauseUntilConsumersGone(): Promise<void> {
    const before = await waitFor('both gateways consuming', async () => {
      const names = await ephemeralConsumers();
      // Each gateway follows its subjects on consumers of its own.
      return names.length === 2 * ROLE_NEEDS.gateway.follows.length ? names : undefined;
    });
    other.child.kill('SIGSTOP');
    await waitFor(
      'the paused gateway’s consumers deleted by the server',
      async () => ((await ephemeralConsumers()).filter((name) => before.includes(name)).length === before.length / 2 ? true : undefined),
      INACTIVE_SECONDS * 1000 + 30_000,
      500,
    );
    other.child.kill('SIGCONT');
  }

  /** Pauses the other gateway past the consumers' inactive threshold, resumes it, rotates, and checks what its stream saw. */
  async function pauseThenRotate(stream: WidgetStream): Promise<void> {
    await pauseUntilConsumersGone();

    const rotated = await suite.widget.admin.rotateSecret(suite.widget.widgetId);
    expect(rotated.status).toBe(200);
    const seenAtRotation = stream.messages().length;

    // The same user writes from another device with the new secret: the old stream must not see it.
    const device = await suite.client.newVisitor();
    const newClaim = claim('usr_paused', rotated.body.widget_secret);
    expect((await suite.client.postMessage(device, { client_message_id: 'after-rotate', text: 'after rotate', ...newClaim })).status).toBe(202);
    await waitFor('the message stored', async () => {
      const history = await suite.client.call<{ messages: Array<{ text: string }> }>('history', { visitor_token: device, ...newClaim });
      return history.body.messages?.some((m) => m.text === 'after rotate') ? true : undefined;
    });
    await waitFor('the old stream to end', async () => (stream.isClosed ? true : undefined), 30_000);
    expect(stream.messages().slice(seenAtRotation)).toEqual([]);
  }

  it('recreates the consumers the server deleted, and answers not ready while one cannot be recreated', async () => {
    // Three of its own per gateway (message.stored, widget.secret.rotated, visitor.logged_out), the paused one's recreated.
    const before = await waitFor(
      'both gateways consuming',
      async () => {
        const names = await ephemeralConsumers();
        // Each gateway follows its subjects on consumers of its own.
        return names.length === 2 * ROLE_NEEDS.gateway.follows.length ? names : undefined;
      },
      60_000,
    );
    const nc = await connectTestNats(suite.system.servers.natsUrl);
    try {
      const jsm = await nc.jetstreamManager();
      for (const name of before) await jsm.consumers.delete(EVENT_STREAM, name);
      await waitFor('every gateway consumer back', async () => ((await ephemeralConsumers()).length === before.length ? true : undefined), 30_000);

      // Without the stream, no consumer can be recreated: readiness names each loop that is down. The loops
      // notice at different moments, so the wait is for all of them, not for the first 503.
      await jsm.streams.delete(EVENT_STREAM);
      try {
        const down = await waitFor(
          'the gateway not ready, every consumer named down',
          async () => {
            const ready = await readiness(other.url);
            expect(ready.status).toBe(503);
            const consumers = Object.entries(ready.checks).filter(([name]) => name.startsWith('consumer:'));
            expect(consumers.map(([name]) => name)).toContain('consumer:widget.secret.rotated');
            for (const [, result] of consumers) expect(result).toMatch(/^down since/);
            return ready;
          },
          30_000,
        );
        expect(down.checks.nats).toBe('ok');
      } finally {
        await ensureStreams(jsm, new CommonConfig());
      }
      await waitFor('the gateway ready again', async () => ((await readiness(other.url)).status === 200 ? true : undefined), 30_000);
    } finally {
      await nc.close();
    }
  });
});
