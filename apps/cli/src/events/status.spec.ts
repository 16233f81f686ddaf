import { ConsumerInfo } from 'nats';
import { ConsumerStatus, consumerStatus, formatStatus, judgeConsumer } from './status';
import { ago, bytes, jetStreamTime, table } from './text';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);
/** The contacts' contact.anonymous consumer, stuck with 3 pending; `fields` say where it stands. */
const anonymousConsumer = (
  fields: Pick<ConsumerStatus, 'delivered_stream_seq' | 'ack_floor_stream_seq' | 'last_active'> & Partial<ConsumerStatus>,
): ConsumerStatus => ({
  stream: 'INVIARO_EVENTS',
  name: 'contacts_contact_anonymous',
  durable: true,
  filter_subject: 'contact.anonymous',
  pending: 3,
  ack_pending: 0,
  redelivered: 0,
  waiting_pulls: 0,
  state: 'stuck',
  ...fields,
});

describe('the stuck heuristic', () => {
  it('is ok with nothing waiting, working while things move, stuck when nothing has moved for the threshold', () => {
    expect(judgeConsumer({ pending: 0, ackPending: 0, lastActive: secondsAgo(3600) }, NOW, 60_000)).toBe('ok');
    expect(judgeConsumer({ pending: 5, ackPending: 0, lastActive: secondsAgo(2) }, NOW, 60_000)).toBe('working');
    expect(judgeConsumer({ pending: 0, ackPending: 3, lastActive: secondsAgo(59) }, NOW, 60_000)).toBe('working');
    expect(judgeConsumer({ pending: 5, ackPending: 0, lastActive: secondsAgo(61) }, NOW, 60_000)).toBe('stuck');
    expect(judgeConsumer({ pending: 0, ackPending: 1, lastActive: undefined }, NOW, 60_000)).toBe('stuck');
  });

  it('reads a consumer info: the latest delivery, acknowledgement or creation counts as movement', () => {
    const info = {
      stream_name: 'INVIARO_EVENTS',
      name: 'contacts_contact_anonymous',
      created: secondsAgo(3600).toISOString(),
      config: { durable_name: 'contacts_contact_anonymous', filter_subject: 'contact.anonymous' },
      // The server sends RFC 3339 text here, whatever the client's types say.
      delivered: { consumer_seq: 10, stream_seq: 40, last_active: secondsAgo(300).toISOString() },
      ack_floor: { consumer_seq: 10, stream_seq: 40, last_active: secondsAgo(120).toISOString() },
      num_ack_pending: 0,
      num_redelivered: 1,
      num_waiting: 0,
      num_pending: 3,
    } as unknown as ConsumerInfo;
    expect(consumerStatus(info, NOW, 60_000)).toEqual(
      anonymousConsumer({ redelivered: 1, delivered_stream_seq: 40, ack_floor_stream_seq: 40, last_active: secondsAgo(120).toISOString() }),
    );
    expect(consumerStatus(info, NOW, 300_000).state).toBe('working');
    // The server's own clock wins when it gives one (2.10+).
    expect(consumerStatus({ ...info, ts: secondsAgo(100).toISOString() }, NOW, 60_000).state).toBe('working');
    // Never delivered, created just now: not stuck yet.
    const fresh = {
      ...info,
      created: secondsAgo(5).toISOString(),
      delivered: { consumer_seq: 0, stream_seq: 0 },
      ack_floor: { consumer_seq: 0, stream_seq: 0 },
    } as ConsumerInfo;
    expect(consumerStatus(fresh, NOW, 60_000)).toEqual(expect.objectContaining({ state: 'working', last_active: secondsAgo(5).toISOString() }));
  });

  it('renders a table that shows a stuck consumer at a glance', () => {
    const text = formatStatus({
      at: NOW.toISOString(),
      stuck_after_seconds: 60,
      streams: [
        {
          name: 'INVIARO_EVENTS',
          exists: true,
          messages: 12,
          bytes: 4096,
          first_seq: 1,
          last_seq: 12,
          first_time: secondsAgo(600).toISOString(),
          last_time: secondsAgo(1).toISOString(),
          consumers: 2,
        },
        { name: 'INVIARO_DEAD_LETTERS', exists: false, messages: 0, bytes: 0, first_seq: 0, last_seq: 0, first_time: null, last_time: null, consumers: 0 },
      ],
      consumers: [
        {
          ...anonymousConsumer({ delivered_stream_seq: 12, ack_floor_stream_seq: 12, last_active: secondsAgo(4).toISOString(), state: 'ok' }),
          name: 'verifier_message_inbound',
          filter_subject: 'message.inbound',
          pending: 0,
          waiting_pulls: 1,
        },
        anonymousConsumer({ delivered_stream_seq: 9, ack_floor_stream_seq: 9, last_active: secondsAgo(300).toISOString() }),
      ],
      dead_letters: { 'message.inbound': 2 },
      consumers_unlisted: [],
    });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^STREAM\s+MESSAGES\s+SIZE\s+FIRST\s+LAST\s+CONSUMERS$/);
    expect(lines[1]).toMatch(/^INVIARO_EVENTS\s+12\s+4\.0 KiB\s+2026-11-24T11:50:00.000Z\s+2026-11-24T11:59:59.000Z\s+2$/);
    expect(lines[2]).toMatch(/^INVIARO_DEAD_LETTERS\s+missing/);
    expect(text).toMatch(/\ncontacts_contact_anonymous\s+INVIARO_EVENTS\s+contact\.anonymous\s+3\s+0\s+0\s+0\s+5m ago\s+STUCK\n/);
    expect(text).toMatch(/\nverifier_message_inbound\s+INVIARO_EVENTS\s+message\.inbound\s+0\s+0\s+0\s+1\s+4s ago\s+ok\n/);
    expect(text).toContain('dead letters: 2');
    expect(text).toMatch(/\nmessage\.inbound\s+2\n/);
    expect(text).toContain('1 consumer(s) look STUCK: contacts_contact_anonymous');
    expect(text).not.toContain('LEADER');
  });

  it('shows on a cluster which node leads each stream and which replica is offline or behind, and says when consumers could not be listed', () => {
    const stream = { exists: true, messages: 12, bytes: 4096, first_seq: 1, last_seq: 12, first_time: null, last_time: null, consumers: 0 };
    const text = formatStatus({
      at: NOW.toISOString(),
      stuck_after_seconds: 60,
      streams: [
        {
          ...stream,
          name: 'INVIARO_EVENTS',
          cluster: {
            leader: 'nats-2',
            replicas: [
              { name: 'nats-1', state: 'offline', lag: 0, seen_seconds_ago: 30 },
              { name: 'nats-3', state: 'behind', lag: 40, seen_seconds_ago: 12 },
            ],
          },
        },
        { ...stream, name: 'INVIARO_DEAD_LETTERS', cluster: { leader: null, replicas: [] } },
      ],
      consumers: [],
      dead_letters: {},
      consumers_unlisted: ['INVIARO_EVENTS'],
    });
    expect(text).toMatch(
      /\nSTREAM\s+LEADER\s+REPLICAS\nINVIARO_EVENTS\s+nats-2\s+nats-1 offline, seen 30s ago, nats-3 behind by 40, seen 12s ago\nINVIARO_DEAD_LETTERS\s+NONE \(no quorum\)\n/,
    );
    expect(text).toContain('consumers of INVIARO_EVENTS could not all be listed');
  });
});

describe('text helpers', () => {
  it('lays out tables, ages, sizes and JetStream times', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
    ).toBe('A    BB\nxxx  y\nz');
    expect([ago(undefined, NOW), ago(secondsAgo(5), NOW), ago(secondsAgo(600), NOW), ago(secondsAgo(7200), NOW), ago(secondsAgo(3 * 86400), NOW)]).toEqual([
      'never',
      '5s ago',
      '10m ago',
      '2h ago',
      '3d ago',
    ]);
    expect([bytes(12), bytes(2048), bytes(5 * 1024 * 1024)]).toEqual(['12 B', '2.0 KiB', '5.0 MiB']);
    expect(jetStreamTime('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(jetStreamTime(123)).toBeUndefined();
    expect(jetStreamTime('2026-11-24T12:00:00.123456789Z')?.toISOString()).toBe('2026-11-24T12:00:00.123Z');
  });
});
