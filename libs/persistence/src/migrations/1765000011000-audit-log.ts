import { sqlMigration } from './sql-migration';
import { SERVICE_ROLES } from '../database-roles';

/**
 * Who did what to which widget, secret, token or contact, from where, and how it ended (issue 24,
 * docs/security.md#the-audit-log). Append-only for the services: the gateway may INSERT and SELECT,
 * no service may UPDATE or DELETE. Retention prunes through `prune_audit_log`, which runs as the
 * owner and deletes only entries older than its floor, so the gateway's role cannot empty the log.
 */
export class AuditLog1765000011000 extends sqlMigration({
  up: `
      CREATE TABLE audit_log (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        action text NOT NULL,
        -- No foreign key: a revoked token's entries stay, with the name it had.
        token_id uuid NOT NULL,
        token_name text NOT NULL,
        client_address text,
        target_type text NOT NULL,
        target_id text,
        -- 'ok', or the error code the caller got.
        outcome text NOT NULL,
        status smallint NOT NULL
      );
      CREATE INDEX audit_log_workspace_at ON audit_log (workspace_id, at DESC, id DESC);
      CREATE INDEX audit_log_at ON audit_log (at);
      CREATE FUNCTION prune_audit_log(keep_days integer, batch integer) RETURNS integer
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE pruned integer;
      BEGIN
        IF keep_days < 30 THEN RAISE EXCEPTION 'the audit log keeps at least 30 days, not %', keep_days; END IF;
        WITH gone AS (
          DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < now() - make_interval(days => keep_days) LIMIT batch) RETURNING 1
        ) SELECT count(*)::integer INTO pruned FROM gone;
        RETURN pruned;
      END $$;
      REVOKE ALL ON FUNCTION prune_audit_log(integer, integer) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION prune_audit_log(integer, integer) TO ${SERVICE_ROLES.gateway};
    `,
  grants: ['audit_log'],
  down: ['DROP FUNCTION prune_audit_log(integer, integer); DROP TABLE audit_log'],
}) {}
