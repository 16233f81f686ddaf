import { RetentionRule } from '@inviaro/persistence';

/** Failure records last seen more than FAILURE_RETENTION_DAYS ago: the support trail is about what happens now. */
export const FAILURE_RETENTION: RetentionRule = {
  table: 'verification_failures',
  key: 'id',
  expired: `SELECT id FROM verification_failures WHERE at < now() - make_interval(days => $1)`,
};
