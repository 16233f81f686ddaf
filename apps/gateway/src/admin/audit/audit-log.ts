import { AUDIT_ACTIONS, AuditAction, AuditEntry } from '@inviaro/contracts';
import { decodeCursor, execute, keysetPage, queryRows, RetentionRule } from '@inviaro/persistence';
import { Injectable, Logger } from '@nestjs/common';
import { Pool } from 'pg';
import type { AdminCaller } from '../admin-auth.guard';
import { ApiError } from '../../http/api-error';

export interface AuditRecord {
  caller: AdminCaller;
  action: AuditAction;
  /** The id of the widget, token or contact the call named (or made). */
  targetId: string | null;
  /** `ok`, or the error code the caller got. */
  outcome: string;
  status: number;
}

export interface AuditQuery {
  action?: AuditAction;
  token_id?: string;
  target_id?: string;
  since?: Date;
  cursor?: string;
  limit: number;
}

interface AuditRow {
  id: string;
  at: Date;
  at_exact: string;
  action: string;
  token_id: string;
  token_name: string;
  client_address: string | null;
  target_type: string;
  target_id: string | null;
  outcome: string;
  status: number;
}

/** A path parameter is the caller's text: kept to what an id can be. */
const MAX_TARGET_ID = 255;

/** Entries older than AUDIT_RETENTION_DAYS, through the owner's function: the gateway's role may not DELETE (migration 1765000011000). */
export const AUDIT_RETENTION: RetentionRule = { table: 'audit_log', prune: 'SELECT prune_audit_log($1, $2) AS n' };

/**
 * The audit log (docs/security.md#the-audit-log): every admin action that changes something or shows a
 * secret, with who (token id and name), from where, on what, and how it ended. Append-only: the
 * gateway's database role may INSERT and SELECT it, nothing else.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('audit');

  constructor(private readonly db: Pool) {}

  /**
   * Recorded after the action, before its answer. A failure to record is logged and does not undo the action
   * (a rotate's answer is its secret's one reveal): the log line says which action went unrecorded.
   */
  async record({ caller, action, targetId, outcome, status }: AuditRecord): Promise<void> {
    try {
      await execute(
        this.db,
        `INSERT INTO audit_log (workspace_id, action, token_id, token_name, client_address, target_type, target_id, outcome, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          caller.workspaceId,
          action,
          caller.tokenId,
          caller.tokenName,
          caller.clientAddress,
          AUDIT_ACTIONS[action],
          targetId?.slice(0, MAX_TARGET_ID) ?? null,
          outcome,
          status,
        ],
      );
    } catch (error) {
      this.logger.error({ action, token_id: caller.tokenId, target_id: targetId, outcome, err: String(error) }, 'an admin action could not be audited');
    }
  }

  /** The workspace's entries, newest first, a page at a time. */
  async list(workspaceId: string, query: AuditQuery): Promise<{ entries: AuditEntry[]; next_cursor: string | null }> {
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw new ApiError(400, 'invalid_request', 'cursor: is not a cursor this API gave');
    const rows = await queryRows<AuditRow>(
      this.db,
      `SELECT id, at, at::text AS at_exact, action, token_id, token_name, client_address, target_type, target_id, outcome, status FROM audit_log
       WHERE workspace_id = $1 AND ($2::text IS NULL OR action = $2) AND ($3::uuid IS NULL OR token_id = $3) AND ($4::text IS NULL OR target_id = $4)
         AND ($5::timestamptz IS NULL OR at >= $5) AND ($6::timestamptz IS NULL OR (at, id) < ($6, $7::uuid))
       ORDER BY at DESC, id DESC LIMIT $8`,
      [
        workspaceId,
        query.action ?? null,
        query.token_id ?? null,
        query.target_id ?? null,
        query.since ?? null,
        after?.at ?? null,
        after?.id ?? null,
        query.limit + 1,
      ],
    );
    const page = keysetPage(rows, query.limit);
    return {
      entries: page.rows.map((row) => ({
        id: row.id,
        at: row.at.toISOString(),
        action: row.action,
        token_id: row.token_id,
        token_name: row.token_name,
        client_address: row.client_address,
        target: { type: row.target_type, id: row.target_id },
        outcome: row.outcome,
        status: row.status,
      })),
      next_cursor: page.next,
    };
  }
}
