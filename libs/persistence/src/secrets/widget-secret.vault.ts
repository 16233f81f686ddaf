import { generateWidgetSecret, KeyRing, openSecret, sealSecret, SealedSecret } from '@inviaro/crypto';
import { DataSource, EntityManager } from 'typeorm';
import { execute, onlyRow, queryChange, queryRows } from '../sql';

/** A widget's current secret and, while it is kept, the one it replaced. */
export interface WidgetSecretVersions {
  version: number;
  secret: string;
  previous?: string;
}

interface SealedRow {
  version: number;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

const SEALED_COLUMNS = 'version, key_id, iv, ciphertext, tag';

/**
 * The only place widget secrets are written or read in PostgreSQL. They are stored sealed with
 * AES-256-GCM under the key ring's newest master key, bound to widget and version; plaintext
 * exists only in the memory of the call that needs it (and in the verifier's Redis cache).
 */
export class WidgetSecretVault {
  constructor(
    private readonly db: DataSource,
    private readonly ring: KeyRing,
  ) {}

  /** The first secret of a new widget, inside the transaction that creates the widget. */
  async create(tx: EntityManager, widgetId: string): Promise<void> {
    await this.insert(tx, widgetId, 1, generateWidgetSecret(), false);
  }

  /**
   * The current secret, once: the first call after creation or rotation gets it, every later
   * call null. One UPDATE decides, so concurrent reveals cannot both win.
   */
  async reveal(widgetId: string): Promise<string | null> {
    const { rows } = await queryChange<SealedRow>(
      this.db,
      `UPDATE widget_secrets SET revealed_at = now()
       WHERE widget_id = $1 AND revealed_at IS NULL AND version = (SELECT max(version) FROM widget_secrets WHERE widget_id = $1)
       RETURNING ${SEALED_COLUMNS}`,
      [widgetId],
    );
    const [row] = rows;
    return row ? this.open(widgetId, row) : null;
  }

  /**
   * A new current secret, returned as its one reveal. `beforeCommit` runs with the new version
   * while the old one is still current in PostgreSQL: the cache is told first, so no reader can
   * re-cache the old secret once the rotation is visible.
   */
  async rotate(widgetId: string, beforeCommit: (version: number) => Promise<void>): Promise<{ version: number; secret: string }> {
    return this.db.transaction(async (tx) => {
      // Serialises rotations of one widget.
      await execute(tx, `SELECT id FROM widgets WHERE id = $1 FOR UPDATE`, [widgetId]);
      const { current } = await onlyRow<{ current: number | null }>(tx, `SELECT max(version) AS current FROM widget_secrets WHERE widget_id = $1`, [widgetId]);
      const version = Number(current ?? 0) + 1;
      const secret = generateWidgetSecret();
      await this.insert(tx, widgetId, version, secret, true);
      // Only the previous version is kept, to tell a stale digest from a wrong one.
      await execute(tx, `DELETE FROM widget_secrets WHERE widget_id = $1 AND version < $2`, [widgetId, version - 1]);
      await beforeCommit(version);
      return { version, secret };
    });
  }

  /** The current secret and the previous one, decrypted; null for a widget without a secret. */
  async current(widgetId: string): Promise<WidgetSecretVersions | null> {
    const [current, previous] = await queryRows<SealedRow>(this.db, `SELECT ${SEALED_COLUMNS} FROM widget_secrets WHERE widget_id = $1 ORDER BY version DESC LIMIT 2`, [widgetId]);
    if (!current) return null;
    return { version: current.version, secret: this.open(widgetId, current), previous: previous && this.open(widgetId, previous) };
  }

  /** Re-seals every secret not yet under the newest master key; safe while the system runs. */
  async resealAll(): Promise<number> {
    const stale = await queryRows<SealedRow & { widget_id: string }>(
      this.db,
      `SELECT widget_id, ${SEALED_COLUMNS} FROM widget_secrets WHERE key_id <> $1`,
      [this.ring.currentKeyId],
    );
    let resealed = 0;
    for (const row of stale) {
      const sealed = sealSecret(this.ring, this.open(row.widget_id, row), { widgetId: row.widget_id, version: row.version });
      // Compare-and-set on the old key id: a concurrent rotation or re-seal wins, and nothing is lost.
      const { count } = await queryChange(
        this.db,
        `UPDATE widget_secrets SET key_id = $4, iv = $5, ciphertext = $6, tag = $7 WHERE widget_id = $1 AND version = $2 AND key_id = $3`,
        [row.widget_id, row.version, row.key_id, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag],
      );
      resealed += count;
    }
    return resealed;
  }

  private async insert(tx: EntityManager, widgetId: string, version: number, secret: string, revealed: boolean): Promise<void> {
    const sealed: SealedSecret = sealSecret(this.ring, secret, { widgetId, version });
    await execute(
      tx,
      `INSERT INTO widget_secrets (widget_id, version, key_id, iv, ciphertext, tag, revealed_at) VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END)`,
      [widgetId, version, sealed.keyId, sealed.iv, sealed.ciphertext, sealed.tag, revealed],
    );
  }

  private open(widgetId: string, row: SealedRow): string {
    return openSecret(this.ring, { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, tag: row.tag }, { widgetId, version: row.version });
  }
}
