import { AdminRole } from '@inviaro/contracts';
import { execute, firstRow, hashToken, newToken, onlyRow, queryRows, transaction } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../../http/api-error';

/** A row of `admin_tokens`, without its hash. */
export interface AdminToken {
  id: string;
  workspace_id: string;
  name: string;
  role: AdminRole;
  created_at: Date;
  last_used_at: Date | null;
}

const COLUMNS = 'id, workspace_id, name, role, created_at, last_used_at';

/** `last_used_at` is written at most this often per token: a busy inbox does not write on every call. */
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * The workspace's admin tokens. A token is looked up by its hash on every admin call, never cached,
 * so a revoke (a DELETE) is in force on every gateway once it commits.
 */
@Injectable()
export class AdminTokens {
  constructor(private readonly db: Pool) {}

  /** The token's row, or null for one that is unknown or revoked; stamps its last use. */
  async byValue(token: string): Promise<AdminToken | null> {
    const row = await firstRow<AdminToken>(this.db, `SELECT ${COLUMNS} FROM admin_tokens WHERE token_hash = $1`, [hashToken(token)]);
    if (row && (!row.last_used_at || Date.now() - row.last_used_at.getTime() > LAST_USE_RESOLUTION_MS)) {
      await execute(this.db, 'UPDATE admin_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
    }
    return row ?? null;
  }

  /** A new token; its value is returned here once and only its hash is kept. */
  async create(workspaceId: string, name: string, role: AdminRole): Promise<{ row: AdminToken; token: string }> {
    const token = newToken('at');
    const row = await onlyRow<AdminToken>(
      this.db,
      `INSERT INTO admin_tokens (workspace_id, token_hash, name, role) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [workspaceId, hashToken(token), name, role],
    );
    return { row, token };
  }

  async list(workspaceId: string): Promise<AdminToken[]> {
    return queryRows<AdminToken>(this.db, `SELECT ${COLUMNS} FROM admin_tokens WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
  }

  /**
   * Deletes the token; the workspace's admin tokens are locked first, so two revokes at once cannot
   * leave it without an admin token (the second sees the first's result).
   */
  async revoke(workspaceId: string, id: string): Promise<void> {
    await transaction(this.db, async (tx) => {
      const locked = await queryRows<{ id: string; role: AdminRole }>(
        tx,
        `SELECT id, role FROM admin_tokens WHERE workspace_id = $1 AND (role = 'admin' OR id = $2) ORDER BY id FOR UPDATE`,
        [workspaceId, id],
      );
      const target = locked.find((row) => row.id === id);
      if (!target) throw new ApiError(404, 'token_not_found', 'no admin token with this id in your workspace');
      if (target.role === 'admin' && locked.filter((row) => row.role === 'admin').length === 1) {
        throw new ApiError(409, 'last_admin_token', 'this is the workspace’s last admin token: create another admin token before revoking it');
      }
      await execute(tx, 'DELETE FROM admin_tokens WHERE id = $1', [id]);
    });
  }
}
