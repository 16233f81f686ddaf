import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, INBOUND_STREAM } from '@inviaro/bus';
import { DEAD_LETTER_HEADERS, isJetStreamError, JetStreamErrorCode } from '@inviaro/jetstream';
import { headers as natsHeaders, JetStreamManager, MsgHdrs, MsgRequest, NatsConnection, StoredMsg } from 'nats';
import { KNOWN_SUBJECTS } from './event-line';
import { connectNats, streamInfo } from './nats';
import { checkSubjectFilter } from './subject-filter';
import { jsonLine, printable, table } from './text';

/** One dead letter: where the failed message is and why it failed (the message itself stays in its stream). */
export interface DeadLetterRecord {
  /** Its own sequence in INVIARO_DEAD_LETTERS. */
  dead_letter_seq: number;
  /** When it was dead-lettered. */
  time: string;
  /** The subject of the failed message. */
  subject: string;
  consumer: string;
  deliveries: number | null;
  reason: string;
  /** Where the original is kept. */
  stream: string;
  stream_seq: number | null;
  /**
   * Whether the original is still in its stream (its retention may have dropped it), or `carried`:
   * the dead letter holds the event itself, its claim removed (message.inbound, whose stream drops settled events).
   */
  original?: 'kept' | 'gone' | 'carried';
}

/** Marks a re-published message with where it came from (consumers ignore headers they do not know). */
const REDRIVEN_FROM_HEADER = 'Inviaro-Redriven-From';

/** Reads a dead letter's headers into a record; tolerant of missing or malformed headers. */
export function readDeadLetter(header: { get(name: string): string } | undefined, natsSubject: string, seq: number, time: Date): DeadLetterRecord {
  const get = (name: string) => header?.get(name) ?? '';
  const number = (text: string) => (/^\d+$/.test(text) ? Number(text) : null);
  const fallbackSubject = natsSubject.startsWith(`${DEAD_LETTER_PREFIX}.`) ? natsSubject.slice(DEAD_LETTER_PREFIX.length + 1) : natsSubject;
  return {
    dead_letter_seq: seq,
    time: time.toISOString(),
    subject: printable(get(DEAD_LETTER_HEADERS.subject) || fallbackSubject, 200),
    consumer: printable(get(DEAD_LETTER_HEADERS.consumer) || '?', 200),
    deliveries: number(get(DEAD_LETTER_HEADERS.deliveries)),
    reason: printable(get(DEAD_LETTER_HEADERS.reason) || '(no reason given)', 500),
    stream: printable(get(DEAD_LETTER_HEADERS.stream) || '?', 100),
    stream_seq: number(get(DEAD_LETTER_HEADERS.sequence)),
  };
}

/** The de-duplication id of a re-drive: fresh each time, so the stream's duplicate window cannot swallow it. */
export function redriveMsgId(stream: string, seq: number, now: Date): string {
  return `redrive:${stream}:${seq}:${now.getTime()}`;
}

/** The original's headers to carry over: its own, minus the NATS ones (its Nats-Msg-Id would be a duplicate), plus where it came from. */
export function redriveHeaders(original: MsgHdrs | undefined, stream: string, seq: number): MsgHdrs {
  const h = natsHeaders();
  for (const [key, values] of original ?? []) {
    if (/^nats-/i.test(key) || key === REDRIVEN_FROM_HEADER) continue;
    for (const value of values) h.append(key, value);
  }
  h.set(REDRIVEN_FROM_HEADER, `${stream}:${seq}`);
  return h;
}

export function formatDeadLetters(records: DeadLetterRecord[]): string {
  if (records.length === 0) return 'no dead letters';
  const rows = records.map((r) => [
    r.time,
    r.subject,
    r.consumer,
    r.deliveries === null ? '?' : String(r.deliveries),
    `${r.stream} #${r.stream_seq ?? '?'}${r.original === 'gone' ? ' (gone)' : r.original === 'carried' ? ' (in the dead letter, claim removed)' : ''}`,
    `#${r.dead_letter_seq}`,
    r.reason,
  ]);
  return table(['TIME', 'SUBJECT', 'CONSUMER', 'DELIVERIES', 'ORIGINAL', 'DEAD LETTER', 'REASON'], rows);
}

export interface DeadLetterFilter {
  /** The original subject (a NATS filter: `contact.*` works). */
  subject?: string;
  /** The original's stream sequence. */
  seq?: number;
}

/** Every dead letter the stream holds now, oldest first, with whether its original is still kept. */
async function listDeadLetters(nc: NatsConnection, filter: DeadLetterFilter = {}): Promise<DeadLetterRecord[]> {
  const jsm = await nc.jetstreamManager();
  const info = await streamInfo(jsm, DEAD_LETTER_STREAM);
  const natsFilter = `${DEAD_LETTER_PREFIX}.${filter.subject ?? '>'}`;
  const records: DeadLetterRecord[] = [];
  for (let seq = info.state.first_seq; info.state.messages > 0;) {
    let message: StoredMsg;
    try {
      // The next dead letter at or after seq on the filter: skips removed (re-driven) ones and other subjects.
      message = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq, next_by_subj: natsFilter } as unknown as MsgRequest);
    } catch (error) {
      if (isJetStreamError(error, JetStreamErrorCode.NoMessageFound)) break;
      throw error;
    }
    const record = readDeadLetter(message.header, message.subject, message.seq, message.time);
    if (message.data.length > 0) record.original = 'carried';
    if (filter.seq === undefined || record.stream_seq === filter.seq) records.push(record);
    seq = message.seq + 1;
  }
  await markKept(jsm, records);
  return records;
}

/** Whether each original is still in its stream: retention (7 days for INVIARO_EVENTS) may have dropped it. */
async function markKept(jsm: JetStreamManager, records: DeadLetterRecord[]): Promise<void> {
  for (const record of records) {
    if (record.original === 'carried') continue;
    // INVIARO_INBOUND is a work queue: an event dead-lettered there was terminated, so it is gone (and not the operator's to read).
    if (record.stream_seq === null || record.stream === '?' || record.stream === INBOUND_STREAM) {
      record.original = 'gone';
      continue;
    }
    const found = await jsm.streams.getMessage(record.stream, { seq: record.stream_seq }).then(
      () => true,
      (error: unknown) => {
        if (isJetStreamError(error, JetStreamErrorCode.NoMessageFound, JetStreamErrorCode.StreamNotFound)) return false;
        throw error;
      },
    );
    record.original = found ? 'kept' : 'gone';
  }
}

export interface RedriveResult {
  action: 'redriven' | 'refused';
  subject: string;
  stream: string;
  stream_seq: number | null;
  /** Where the re-published copy landed. */
  new_stream?: string;
  new_seq?: number;
  /** The dead letters removed (one original may have been dead-lettered by several consumers). */
  dead_letter_seqs: number[];
  reason?: string;
}

/**
 * Re-publishes each dead letter's original to its subject (once per original, however many
 * consumers dead-lettered it), then removes those dead letters. An original that is gone is
 * refused and its dead letter kept. A dead letter that carries its event (message.inbound) is
 * re-published from itself: without its claim, so the event goes on anonymous.
 */
export async function redrive(nc: NatsConnection, records: DeadLetterRecord[], now: () => Date = () => new Date()): Promise<RedriveResult[]> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const groups = new Map<string, [DeadLetterRecord, ...DeadLetterRecord[]]>();
  for (const record of records) {
    const key = `${record.stream}:${record.stream_seq}`;
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  const results: RedriveResult[] = [];
  for (const group of groups.values()) {
    const { stream, stream_seq, subject } = group[0];
    const result = { subject, stream, stream_seq, dead_letter_seqs: group.map((r) => r.dead_letter_seq) };
    if (stream_seq === null || stream === '?') {
      results.push({ ...result, action: 'refused', reason: 'the dead letter does not say where the original is' });
      continue;
    }
    const gone = {
      ...result,
      action: 'refused' as const,
      reason: `the original ${stream} #${stream_seq} is gone (dropped by the stream's retention, or deleted); the dead letter is kept`,
    };
    if (group[0].original === 'gone') {
      results.push(gone);
      continue;
    }
    let original: Pick<StoredMsg, 'subject' | 'data' | 'header'>;
    try {
      original = group[0].original === 'carried' ? await carriedEvent(jsm, group[0]) : await jsm.streams.getMessage(stream, { seq: stream_seq });
    } catch (error) {
      if (isJetStreamError(error, JetStreamErrorCode.NoMessageFound, JetStreamErrorCode.StreamNotFound)) {
        results.push(gone);
        continue;
      }
      throw error;
    }
    if (original.subject !== subject) {
      results.push({
        ...result,
        action: 'refused',
        reason: `${stream} #${stream_seq} is on ${printable(original.subject, 200)}, not ${subject}; the dead letter is kept`,
      });
      continue;
    }
    const ack = await js.publish(original.subject, original.data, {
      msgID: redriveMsgId(stream, stream_seq, now()),
      headers: redriveHeaders(original.header, stream, stream_seq),
    });
    const kept: string[] = [];
    for (const seq of result.dead_letter_seqs) {
      // Already gone (another operator re-drove it at the same time) is fine; anything else is reported.
      await jsm.streams.deleteMessage(DEAD_LETTER_STREAM, seq, false).catch((error: unknown) => {
        if (!isJetStreamError(error, JetStreamErrorCode.NoMessageFound)) kept.push(`#${seq} (${error instanceof Error ? error.message : String(error)})`);
      });
    }
    const warning = kept.length ? { reason: `re-published, but dead letter ${kept.join(', ')} could not be removed` } : {};
    results.push({ ...result, action: 'redriven', new_stream: ack.stream, new_seq: ack.seq, ...warning });
  }
  return results;
}

/** The event a dead letter carries, as it would be republished: its subject, no headers of the dead letter's own. */
async function carriedEvent(jsm: JetStreamManager, record: DeadLetterRecord): Promise<Pick<StoredMsg, 'subject' | 'data' | 'header'>> {
  const letter = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { seq: record.dead_letter_seq });
  return { subject: record.subject, data: letter.data, header: natsHeaders() };
}

export function formatRedrive(result: RedriveResult): string {
  const where = `${result.subject} ${result.stream} #${result.stream_seq ?? '?'}`;
  const letters = result.dead_letter_seqs.map((s) => `#${s}`).join(', ');
  return result.action === 'redriven'
    ? `re-driven: ${where} -> ${result.new_stream} #${result.new_seq} (${result.reason ?? `dead letter ${letters} removed`})`
    : `refused:   ${where}: ${result.reason}`;
}

export interface DeadLetterOptions {
  json?: boolean;
  redrive?: boolean;
  subject?: string;
  seq?: string;
}

/** `events dead-letters`: list them, or re-drive the ones selected. Exits 1 when a re-drive was refused. */
export async function deadLettersCommand(options: DeadLetterOptions): Promise<void> {
  const seq = options.seq === undefined ? undefined : parseSeq(options.seq);
  const subject = options.subject === undefined ? undefined : checkSubjectFilter(options.subject, KNOWN_SUBJECTS, 'INVIARO_EVENTS');
  const nc = await connectNats();
  try {
    const records = await listDeadLetters(nc, { subject, seq });
    if (!options.redrive) {
      if (options.json) for (const record of records) console.log(jsonLine(record));
      else console.log(formatDeadLetters(records));
      return;
    }
    if (records.length === 0) {
      const filtered = subject !== undefined || seq !== undefined;
      if (filtered)
        throw new Error(`no dead letter matches${subject ? ` --subject ${subject}` : ''}${seq !== undefined ? ` --seq ${seq}` : ''}; nothing re-driven`);
      if (!options.json) console.log('no dead letters; nothing re-driven');
      return;
    }
    const results = await redrive(nc, records);
    for (const result of results) console.log(options.json ? jsonLine(result) : formatRedrive(result));
    const refused = results.filter((r) => r.action === 'refused').length;
    if (refused > 0) {
      console.error(`inviaro: ${refused} of ${results.length} refused`);
      process.exitCode = 1;
    }
  } finally {
    await nc.close();
  }
}

function parseSeq(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--seq: expected a stream sequence (a positive whole number), not "${text.slice(0, 40)}"`);
  return Number(text);
}
