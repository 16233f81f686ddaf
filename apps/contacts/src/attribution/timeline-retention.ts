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
  key: 'message_id',
  expired: `SELECT e.message_id FROM visitor_events e
    WHERE e.received_at < now() - make_interval(days => $1) AND EXISTS (
      SELECT 1 FROM visitor_events b
      WHERE b.visitor_id = e.visitor_id AND b.user_id IS NOT NULL AND b.received_at < now() - make_interval(days => $1)
        AND (b.received_at, b.message_id) > (e.received_at, e.message_id))`,
};
