import { retentionJob } from '@inviaro/persistence';
import { anonymousVisitors, migratedDatabaseSuite, nth, waitFor } from '@inviaro/test-harness';
import { createLogger } from '@inviaro/observability';
import { FactoryProvider, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TIMELINE_RETENTION } from './timeline-retention';

const DAYS = 30;
/** Old events, interleaved over the visitors: three batches of the walk (5,000 rows each) and some. */
const OLD_EVENTS = 15_500;
const VISITORS = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

interface TimelineRow {
  message_id: string;
  visitor: number;
  received_at: Date;
  user_id: string | null;
}

describe('the timeline retention job on real PostgreSQL, over several batches of its walk', () => {
  const db = migratedDatabaseSuite();

  it('deletes exactly the old events before each visitor’s last old verified event, wherever the batches split its run', async () => {
    const { visitors } = await anonymousVisitors(db.owner, VISITORS);

    // Visitor 0 verifies once, in the walk's third batch; visitor 1 twice, in the first and the second (the later one
    // is its boundary); visitor 2 never (its run stays whole). Each visitor also verifies after the cutoff: that does not count.
    const verifiedAt = new Map([
      [12_000, 'usr_0'],
      [3_001, 'usr_1'],
      [6_001, 'usr_1'],
    ]);
    const oldest = Date.now() - (DAYS + 10) * DAY_MS;
    const rows: TimelineRow[] = Array.from({ length: OLD_EVENTS }, (_, i) => ({
      message_id: randomUUID(),
      visitor: i % VISITORS,
      received_at: new Date(oldest + i * 1000),
      user_id: verifiedAt.get(i) ?? null,
    }));
    for (let visitor = 0; visitor < VISITORS; visitor++)
      rows.push({ message_id: randomUUID(), visitor, received_at: new Date(Date.now() - DAY_MS), user_id: `usr_${visitor}` });
    await db.owner.query(
      `INSERT INTO visitor_events (message_id, visitor_id, received_at, user_id, contact_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[])`,
      [
        rows.map((row) => row.message_id),
        rows.map((row) => nth(visitors, row.visitor).id),
        rows.map((row) => row.received_at),
        rows.map((row) => row.user_id),
        rows.map((row) => nth(visitors, row.visitor).contact_id),
      ],
    );

    const cutoff = Date.now() - DAYS * DAY_MS;
    const boundary = (visitor: number) =>
      Math.max(
        -Infinity,
        ...rows.filter((row) => row.visitor === visitor && row.user_id !== null && row.received_at.getTime() < cutoff).map((row) => row.received_at.getTime()),
      );
    const kept = rows.filter((row) => row.received_at.getTime() >= boundary(row.visitor)).map((row) => row.message_id);
    // What this arranges (else the test would prove less than it says): every visitor's case, and more than two batches to walk.
    expect(rows.length - kept.length).toBe(4_000 + 2_000);

    // The service's own logger, its lines kept here: the job's last line says how its run ended.
    const lines: string[] = [];
    const logger = createLogger('contacts', 'info', { write: (line: string) => lines.push(line) });
    const provider = retentionJob(TIMELINE_RETENTION, DAYS) as FactoryProvider<OnApplicationBootstrap & OnApplicationShutdown>;
    const job = await provider.useFactory(db.contacts, logger);
    job.onApplicationBootstrap();
    try {
      const outcome = await waitFor('the retention run to end', async () =>
        lines.map((line) => JSON.parse(line) as { msg: string; pruned?: number; error?: string }).find((entry) => entry.msg.startsWith('retention')),
      );
      expect(outcome).toEqual(expect.objectContaining({ msg: 'retention pruned old rows', pruned: rows.length - kept.length }));
    } finally {
      await job.onApplicationShutdown();
    }
    const left = await db.owner.query<{ message_id: string }>(`SELECT message_id FROM visitor_events WHERE visitor_id = ANY($1::uuid[])`, [
      visitors.map((visitor) => visitor.id),
    ]);
    expect(left.rows.map((row) => row.message_id).sort()).toEqual([...kept].sort());
  });
});
