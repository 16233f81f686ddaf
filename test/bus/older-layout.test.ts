import { MessageInbound } from '@inviaro/contracts';
import { ensureStreams, EVENT_STREAM, INBOUND_STREAM, streamsToUpdate } from '@inviaro/bus';
import { isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import { CommonConfig } from '@inviaro/config';
import { busSuite, connectTestNats } from '@inviaro/test-harness';
import { JSONCodec } from 'nats';

jest.setTimeout(60_000);

/**
 * A deployment older than INVIARO_INBOUND kept message.inbound (with plaintext claims) in
 * INVIARO_EVENTS. The release that moved those events is retired (issue 21): this one refuses to
 * start on that layout rather than strand the events or publish where no verifier reads.
 */
describe('streams of a release older than INVIARO_INBOUND', () => {
  const bus = busSuite();

  it('stops every service with what to do, and leaves the old stream and its events as they are', async () => {
    const jsm = await bus.nc.jetstreamManager();
    await jsm.streams.delete(INBOUND_STREAM);
    const events = (await jsm.streams.info(EVENT_STREAM)).config;
    await jsm.streams.update(EVENT_STREAM, { ...events, subjects: [...events.subjects, MessageInbound.subject] });
    await bus.nc.jetstream().publish(MessageInbound.subject, JSONCodec().encode({ data: { claim: 'plaintext, of the old release' } }));

    for (const role of ['verifier', 'contacts', 'gateway'] as const) {
      const nc = await connectTestNats(bus.server.url, {}, role);
      try {
        await expect(ensureStreams(await nc.jetstreamManager(), new CommonConfig(), { updates: streamsToUpdate(role) })).rejects.toThrow(
          `${EVENT_STREAM} still stores ${MessageInbound.subject}, which this release keeps in ${INBOUND_STREAM}: the deployment is older than ${INBOUND_STREAM}. ` +
            `Run the previous release until ${EVENT_STREAM} holds no ${MessageInbound.subject} (docs/operations.md, Upgrading)`,
        );
      } finally {
        await nc.close();
      }
    }
    const after = await jsm.streams.info(EVENT_STREAM, { subjects_filter: MessageInbound.subject });
    expect(after.config.subjects).toContain(MessageInbound.subject);
    expect(after.state.subjects?.[MessageInbound.subject]).toBe(1);
    expect(await jsm.streams.info(INBOUND_STREAM).catch((error: unknown) => isJetStreamError(error, JetStreamErrorCode.StreamNotFound))).toBe(true);
  });
});
