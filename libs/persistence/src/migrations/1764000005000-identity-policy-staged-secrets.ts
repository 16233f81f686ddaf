import { sqlMigration } from './sql-migration';

/**
 * Per-widget identity policy (docs/identity-jwt.md) and staged rotation: a secret verifies until
 * `retired_at` is set, so two can be live at once between a stage and a retire call.
 * `secret_generation` counts every change the verifier caches (secrets and policy): its Redis
 * cache ignores an entry older than the generation a change marked (secret-cache.ts).
 */
export class IdentityPolicyStagedSecrets1764000005000 extends sqlMigration({
  up: `
      ALTER TABLE widgets
        ADD COLUMN identity_policy text NOT NULL DEFAULT 'user_hash' CHECK (identity_policy IN ('user_hash', 'jwt', 'either')),
        ADD COLUMN secret_generation integer NOT NULL DEFAULT 0;
      ALTER TABLE widget_secrets ADD COLUMN retired_at timestamptz;
      -- Until now only the newest secret verified; the one before it was kept to tell a stale digest.
      UPDATE widget_secrets s SET retired_at = now() WHERE version < (SELECT max(version) FROM widget_secrets WHERE widget_id = s.widget_id);
    `,
  down: ['ALTER TABLE widget_secrets DROP COLUMN retired_at; ALTER TABLE widgets DROP COLUMN secret_generation, DROP COLUMN identity_policy'],
}) {}
