import { Pool } from 'pg';
import { execute, onlyRow, transaction } from '../sql';
import { hashToken, newToken } from './tokens';

export interface NewWorkspace {
  workspace_id: string;
  admin_token: string;
}

/** A workspace and its first admin token; the token is returned here once and only its hash is kept. */
export async function createWorkspace(db: Pool, name: string): Promise<NewWorkspace> {
  const adminToken = newToken('at');
  return transaction(db, async (tx) => {
    const workspace = await onlyRow<{ id: string }>(tx, `INSERT INTO workspaces (name) VALUES ($1) RETURNING id`, [name]);
    await execute(tx, `INSERT INTO admin_tokens (workspace_id, token_hash, name, role) VALUES ($1, $2, 'first admin token', 'admin')`, [
      workspace.id,
      hashToken(adminToken),
    ]);
    return { workspace_id: workspace.id, admin_token: adminToken };
  });
}
