import { MessageInbound } from '@inviaro/contracts';
import { EVENT_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { once } from 'node:events';
import { DeliverPolicy, Events, OrderedConsumerOptions } from 'nats';
import { describeEvent, formatEventJson, formatEventLine } from './event-line';
import { connectNats, natsUrl, redactUrl, streamInfo } from './nats';
import { parseSince } from './since';
import { checkSubjectFilter, subjectMatches } from './subject-filter';

export interface TailOptions {
  since?: string;
  json?: boolean;
}

/**
 * `events tail`: an ordered consumer of its own (ephemeral, no acknowledgements, so it takes
 * nothing from the services' consumers) from --since or from now, following live until Ctrl-C.
 * Progress and connection notes go to stderr, event lines to stdout.
 */
export async function tailCommand(filter: string | undefined, options: TailOptions): Promise<void> {
  const start = options.since === undefined ? undefined : parseSince(options.since);
  const nc = await connectNats(true);
  try {
    const jsm = await nc.jetstreamManager();
    const info = await streamInfo(jsm, EVENT_STREAM);
    if (filter !== undefined) checkTailFilter(filter, info.config.subjects ?? []);

    const consumerOptions: Partial<OrderedConsumerOptions> = {
      // Recognisable in `events status` (the client appends a unique id, so several tails can run at once).
      name_prefix: 'inviaro_tail_',
      ...(filter === undefined ? {} : { filterSubjects: filter }),
      ...(start ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.toISOString() } : { deliver_policy: DeliverPolicy.New }),
    };
    const consumer = await nc.jetstream().consumers.get(EVENT_STREAM, consumerOptions);
    const messages = await consumer.consume({ max_messages: 256 });

    const stop = () => messages.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // `| head` closed our stdout: nothing more to say (and a write waiting for 'drain' would wait forever).
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
    });
    const reportStatus = async () => {
      for await (const status of nc.status()) {
        if (status.type === Events.Disconnect || status.type === Events.Reconnect)
          console.error(`inviaro: NATS ${status.type}${status.type === Events.Disconnect ? ', reconnecting…' : 'ed'}`);
      }
    };
    // The notes are a courtesy: a failed watch costs them, never the tail.
    reportStatus().catch(() => undefined);

    console.error(
      `tailing ${filter ?? 'every subject of'} ${filter ? `on ${EVENT_STREAM}` : EVENT_STREAM} at ${redactUrl(natsUrl())} ` +
        `from ${start ? start.toISOString() : 'now'} (Ctrl-C stops)`,
    );
    let caughtUp = start === undefined;
    for await (const message of messages) {
      const line = describeEvent(message.subject, message.data, new Date(Math.floor(message.info.timestampNanos / 1e6)), message.seq);
      await write(options.json ? formatEventJson(line) : formatEventLine(line));
      if (!caughtUp && message.info.pending === 0) {
        caughtUp = true;
        console.error('-- caught up; following live --');
      }
    }
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    // Not left for the server to expire (5 minutes idle): `events status` should not list tails that have ended.
    await consumer.delete().catch(() => undefined);
  } finally {
    await nc.close();
  }
}

/** message.inbound is not in INVIARO_EVENTS: a filter for it alone gets an answer that says where it went and why. */
function checkTailFilter(filter: string, subjects: string[]): void {
  if (!subjects.some((subject) => subjectMatches(filter, subject)) && subjectMatches(filter, MessageInbound.subject)) {
    throw new Error(
      `${MessageInbound.subject} lives in ${INBOUND_STREAM}, a work queue that the verifier empties as it checks each event (the claim in it is sealed): ` +
        'it cannot be tailed; `events status` shows its backlog, `events dead-letters` its failures',
    );
  }
  checkSubjectFilter(filter, subjects, EVENT_STREAM);
}

async function write(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}
