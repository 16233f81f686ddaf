import { RetentionRule } from '@inviaro/persistence';

/**
 * What the fold rule can no longer read in the visitor timeline (docs/data-model.md, "Retention"): of
 * the events received before the cutoff, those received before the visitor's last verified event before
 * the cutoff. That verified event stays, as the boundary a later event's run starts from; the runs after
 * it, the live anonymous run included, stay whole. Sound while no event is delivered later than the
 * retention period after it was received: the setting's minimum is longer than the dead-letter stream
 * keeps an event for re-driving.
 */
export const TIMELINE_RETENTION: RetentionRule = {
  table: 'visitor_events',
  // In received order (visitor_events_received_at): the events a visitor's run still needs stay behind the walk, read once a run.
  walk: `WITH examined AS (
      SELECT message_id, visitor_id, received_at FROM visitor_events
      WHERE received_at < now() - make_interval(days => $1) AND (received_at, message_id) > ($3::timestamptz, $4::uuid)
      ORDER BY received_at, message_id LIMIT $2),
    gone AS (
      DELETE FROM visitor_events d USING examined e
      WHERE d.message_id = e.message_id AND EXISTS (
        SELECT 1 FROM visitor_events b
        WHERE b.visitor_id = e.visitor_id AND b.user_id IS NOT NULL AND b.received_at < now() - make_interval(days => $1)
          AND (b.received_at, b.message_id) > (e.received_at, e.message_id))
      RETURNING 1),
    last AS (SELECT received_at, message_id FROM examined ORDER BY received_at DESC, message_id DESC LIMIT 1)
    SELECT (SELECT count(*)::int FROM gone) AS n, (SELECT received_at::text FROM last) AS after_at, (SELECT message_id::text FROM last) AS after_key`,
};
