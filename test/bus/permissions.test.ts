import { ClaimCheck, ContactsHistory, MessageInbound, MessageStored, WidgetSecretRotated } from '@inviaro/contracts';
import { DEAD_LETTER_STREAM, durableName, natsPermissions, streamOf } from '@inviaro/bus';
import { busSuite, connectTestNats, waitFor } from '@inviaro/test-harness';
import { AckPolicy, connect, DeliverPolicy, Events, JSONCodec, NatsConnection, nuid } from 'nats';

jest.setTimeout(120_000);

/** What a client with the gateway's user must never see: the inbound event's claim. */
const SECRET = `claim-${nuid.next()}`;
const jc = JSONCodec();

describe('NATS: every client authenticated, each service held to its rights', () => {
  const bus = busSuite();
  let gateway: NatsConnection;
  const gatewayErrors: string[] = [];

  beforeAll(async () => {
    await bus.nc.jetstream().publish(MessageInbound.subject, jc.encode({ data: { claim: SECRET } }));
    // The verifier's durable consumer, as the verifier makes it, holding the event.
    await (
      await bus.nc.jetstreamManager()
    ).consumers.add(streamOf(MessageInbound.subject), {
      durable_name: durableName('verifier', MessageInbound.subject),
      filter_subject: MessageInbound.subject,
      ack_policy: AckPolicy.Explicit,
    });
    gateway = await connectTestNats(bus.server.url, {}, 'gateway');
    const collectErrors = async () => {
      for await (const status of gateway.status())
        if (status.type === Events.Error) gatewayErrors.push(typeof status.data === 'object' ? JSON.stringify(status.data) : String(status.data));
    };
    collectErrors().catch((error: unknown) => gatewayErrors.push(`status watch failed: ${String(error)}`));
  });

  afterAll(() => gateway?.close());

  it('refuses a client without credentials, and one with a wrong password', async () => {
    await expect(connect({ servers: bus.server.url, reconnect: false })).rejects.toMatchObject({ code: 'AUTHORIZATION_VIOLATION' });
    await expect(connect({ servers: bus.server.url, user: 'gateway', pass: 'guessed', reconnect: false })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
  });

  it('lets the gateway do its work: publish message.inbound, ask the verifiers, follow message.stored and widget.secret.rotated', async () => {
    const ack = await gateway.jetstream().publish(MessageInbound.subject, jc.encode({ data: { claim: 'from-the-gateway' } }));
    expect(ack.stream).toBe(streamOf(MessageInbound.subject));

    // A verifier answers the claim check; the gateway's request reaches it and the answer comes back to the gateway's inbox.
    const verifier = await connectTestNats(bus.server.url, {}, 'verifier');
    verifier.subscribe(ClaimCheck.subject, {
      queue: 'verifier',
      callback: (_error, message) => message.respond(jc.encode({ ok: true, data: { verified: false } })),
    });
    await verifier.flush();
    expect(jc.decode((await gateway.request(ClaimCheck.subject, jc.encode({}), { timeout: 5_000 })).data)).toEqual({ ok: true, data: { verified: false } });

    const jsm = await gateway.jetstreamManager();
    const name = `${durableName('gateway', WidgetSecretRotated.subject)}_${nuid.next()}`;
    await jsm.consumers.add(streamOf(WidgetSecretRotated.subject), {
      name,
      filter_subject: WidgetSecretRotated.subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
    });
    const contacts = await connectTestNats(bus.server.url, {}, 'contacts');
    await contacts.jetstream().publish(MessageStored.subject, jc.encode({ data: { text: 'stored' } }));
    const ordered = await gateway.jetstream().consumers.get(streamOf(MessageStored.subject), { filterSubjects: MessageStored.subject });
    await verifier.close();
    await contacts.close();
    expect(jc.decode((await ordered.next({ expires: 10_000 }))!.data)).toEqual({ data: { text: 'stored' } });
    expect(gatewayErrors).toEqual([]);
  });

  it('does not let the gateway answer verifier.claim.check', async () => {
    const impostor = await connectTestNats(bus.server.url, {}, 'gateway');
    const refused: string[] = [];
    impostor.subscribe(ClaimCheck.subject, {
      callback: (error, message) =>
        error ? refused.push(error.message) : message.respond(jc.encode({ ok: true, data: { verified: true, user_id: 'victim' } })),
    });
    await impostor.flush();
    await expect(bus.nc.request(ClaimCheck.subject, jc.encode({}), { timeout: 2_000 })).rejects.toMatchObject({ code: expect.stringMatching(/503|TIMEOUT/) });
    expect(refused.join()).toMatch(/Permissions Violation for Subscription to "verifier\.claim\.check"/);
    await impostor.close();
  });

  it('lets a responder publish into the inboxes of the roles that ask it only: the verifier cannot write into contacts’ or the operator’s', async () => {
    const arrived: string[] = [];
    const listener = bus.nc.subscribe('_INBOX.*.forged', { callback: (_error, message) => arrived.push(message.subject) });
    await bus.nc.flush();
    const verifier = await connectTestNats(bus.server.url, {}, 'verifier');
    // The gateway's inbox last: one connection's messages arrive in order, so once it is in, the others would have been.
    for (const role of ['contacts', 'operator', 'gateway'])
      verifier.publish(`_INBOX.${role}.forged`, jc.encode({ ok: true, data: { verified: true, user_id: 'victim' } }));
    await verifier.flush();
    await waitFor('the publish into the gateway’s inbox', async () => (arrived.includes('_INBOX.gateway.forged') ? true : undefined), 10_000);
    await verifier.close();
    listener.unsubscribe();
    expect(arrived).toEqual(['_INBOX.gateway.forged']);
  });

  it('does not let the gateway read message.inbound on a core subscription', async () => {
    const seen: string[] = [];
    for (const subject of [MessageInbound.subject, 'message.*', '>'])
      gateway.subscribe(subject, { callback: (error, message) => seen.push(error ? `refused ${subject}` : message.string()) });
    await gateway.flush();
    // After it, on one of the gateway's own inbox subjects: once that arrived, message.inbound would have (one publisher, in order).
    const later = gateway.subscribe('_INBOX.gateway.later', { max: 1 });
    await gateway.flush();
    bus.nc.publish(MessageInbound.subject, jc.encode({ data: { claim: SECRET } }));
    bus.nc.publish('_INBOX.gateway.later', jc.encode({ later: true }));
    await bus.nc.flush();
    for await (const message of later) expect(jc.decode(message.data)).toEqual({ later: true });
    expect(seen.sort()).toEqual(['refused >', 'refused message.*', 'refused message.inbound']);
  });

  it('does not let the gateway get a stored message.inbound directly, nor pull it from the verifier’s consumer', async () => {
    const stream = streamOf(MessageInbound.subject);
    const verifierDurable = durableName('verifier', MessageInbound.subject);
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['stream message get', async () => (await gateway.jetstreamManager()).streams.getMessage(stream, { last_by_subj: MessageInbound.subject })],
      ['direct get', () => gateway.request(`$JS.API.DIRECT.GET.${stream}`, jc.encode({ last_by_subj: MessageInbound.subject }), { timeout: 2_000 })],
      [
        'the verifier’s durable',
        () => gateway.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${verifierDurable}`, jc.encode({ batch: 1, expires: 1_000_000_000 }), { timeout: 2_000 }),
      ],
      [
        'taking over the verifier’s durable',
        async () =>
          (await gateway.jetstreamManager()).consumers.add(stream, {
            durable_name: verifierDurable,
            filter_subject: MessageInbound.subject,
            ack_policy: AckPolicy.None,
          }),
      ],
      [
        'an unnamed consumer',
        () =>
          gateway.request(
            `$JS.API.CONSUMER.CREATE.${stream}`,
            jc.encode({ stream_name: stream, config: { filter_subject: MessageInbound.subject, ack_policy: 'none' } }),
            { timeout: 2_000 },
          ),
      ],
      ['stream update', async () => (await gateway.jetstreamManager()).streams.update(stream, { subjects: [MessageInbound.subject] })],
    ];
    for (const [what, attempt] of attempts) {
      await expect(attempt().then((answer) => `${what}: answered ${JSON.stringify(answer)}`)).rejects.toThrow(/Permissions Violation|TIMEOUT/);
    }
    const info = await (await bus.nc.jetstreamManager()).consumers.info(stream, verifierDurable);
    expect(info.delivered.stream_seq).toBe(0);
  });

  // The server refuses a create whose configured filter differs from the filter in its subject (nats-server 2.9 checks
  // this only for a filter of more than one token: every subject of ours has two or more).
  it('does not let the gateway read message.inbound through a consumer of its own', async () => {
    const stream = streamOf(MessageInbound.subject);
    // Asking for message.inbound plainly, and naming a filter it may use in the subject while configuring message.inbound.
    for (const subjectFilter of [MessageInbound.subject, MessageStored.subject]) {
      const name = `probe_${nuid.next()}`;
      const created = await gateway
        .request(
          `$JS.API.CONSUMER.CREATE.${stream}.${name}.${subjectFilter}`,
          jc.encode({ stream_name: stream, config: { name, filter_subject: MessageInbound.subject, ack_policy: 'none' } }),
          { timeout: 2_000 },
        )
        .then(
          (answer) => answer.string(),
          (error: Error) => error.message,
        );
      const refused = !created.startsWith('{') || created.includes('"error"');
      const pulled = refused ? '' : ((await (await gateway.jetstream().consumers.get(stream, name)).next({ expires: 2_000 }))?.string() ?? '');
      expect(pulled).not.toContain(SECRET);
      expect({ subjectFilter, refused, created }).toEqual({
        subjectFilter,
        refused: true,
        created: expect.stringMatching(/Permissions Violation|did not match filtered subject/),
      });
    }
  });

  it('derives each role’s rights from the topology: only the verifier consumes message.inbound, the gateway changes no stream', () => {
    const gatewayRights = natsPermissions('gateway');
    expect(gatewayRights.subscribe.allow).toEqual(['_INBOX.gateway.>']);
    expect(gatewayRights.publish.allow.filter((s) => s.startsWith('$JS.API.STREAM.UPDATE'))).toEqual([]);
    expect(natsPermissions('verifier').subscribe.allow).toContain(ClaimCheck.subject);
    expect(natsPermissions('contacts').subscribe.allow).toContain(ContactsHistory.subject);
    const stream = streamOf(MessageInbound.subject);
    expect(natsPermissions('verifier').publish.allow).toContain(
      `$JS.API.CONSUMER.CREATE.${stream}.${durableName('verifier', MessageInbound.subject)}.${MessageInbound.subject}`,
    );
    expect(natsPermissions('operator').publish.allow).toContain(`$JS.API.STREAM.MSG.DELETE.${DEAD_LETTER_STREAM}`);
  });
});
