import { generateWidgetSecret, KeyRing, openSecret, sealSecret, SealedSecret } from '@inviaro/crypto';
import { IdentityPolicy } from '@inviaro/contracts';
import { execute, queryChange, queryRows, requireRow, Sql, transaction } from '@inviaro/persistence';
import { Pool } from 'pg';

/** What the verifier needs of a widget to decide a claim: its secrets, its identity policy and its key. */
export interface WidgetSecretVersions {
  /** The newest secret's version; the previous one's is `version - 1`. */
  version: number;
  secret: string;
  previous?: string;
  /** The previous secret still verifies: a staged rotation awaits its retire call. */
  previousLive?: boolean;
  /** Absent in an entry cached before policies: `user_hash`. */
  policy?: IdentityPolicy;
  widgetKey?: string;
  /** The widget's `secret_generation` when this was read: what the cache compares with its marker. */
  generation?: number;
}

/** What a change of a widget's secrets or policy tells the cache before it commits. */
export interface SecretChange {
  /** The oldest version that still verifies after the change: live streams verified under an older one end. */
  liveFrom: number;
  /** The widget's generation after the change: cached entries of an older one are void. */
  generation: number;
  /** The identity policy, when the change set it: live streams verified by a claim it no longer admits end. */
  policy?: IdentityPolicy;
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
    private readonly db: Pool,
    private readonly ring: KeyRing,
  ) {}

  /** The first secret of a new widget, inside the transaction that creates the widget. */
  async create(tx: Sql, widgetId: string): Promise<void> {
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
   * A new current secret, returned as its one reveal; every older one stops verifying at once.
   * `beforeCommit` runs while the old state is still current in PostgreSQL: the cache is told
   * first, so no reader can re-cache the old secret once the rotation is visible.
   */
  async rotate(widgetId: string, beforeCommit: (change: SecretChange) => Promise<void>): Promise<{ version: number; secret: string }> {
    return this.change(
      widgetId,
      async (tx, current) => {
        const version = current + 1;
        const secret = await this.add(tx, widgetId, version);
        await execute(tx, `UPDATE widget_secrets SET retired_at = now() WHERE widget_id = $1 AND version < $2 AND retired_at IS NULL`, [widgetId, version]);
        return { result: { version, secret }, liveFrom: version };
      },
      beforeCommit,
    );
  }

  /**
   * The next secret, returned as its one reveal, while the current one keeps verifying; null
   * while a staged secret awaits its retire call (one staged rotation at a time).
   */
  async stage(widgetId: string, beforeCommit: (change: SecretChange) => Promise<void>): Promise<{ version: number; secret: string } | null> {
    return this.change(
      widgetId,
      async (tx, current, previousLive) => {
        if (previousLive) return { result: null };
        const version = current + 1;
        return { result: { version, secret: await this.add(tx, widgetId, version) }, liveFrom: current };
      },
      beforeCommit,
    );
  }

  /** Ends the previous secret of a staged rotation at once, as `rotate` would; null when none is live. */
  async retire(widgetId: string, beforeCommit: (change: SecretChange) => Promise<void>): Promise<{ version: number } | null> {
    return this.change(
      widgetId,
      async (tx, current, previousLive) => {
        if (!previousLive) return { result: null };
        await execute(tx, `UPDATE widget_secrets SET retired_at = now() WHERE widget_id = $1 AND version < $2 AND retired_at IS NULL`, [widgetId, current]);
        return { result: { version: current }, liveFrom: current };
      },
      beforeCommit,
    );
  }

  async setPolicy(widgetId: string, policy: IdentityPolicy, beforeCommit: (change: SecretChange) => Promise<void>): Promise<void> {
    await this.change(
      widgetId,
      async (tx, current, previousLive) => {
        await execute(tx, `UPDATE widgets SET identity_policy = $2 WHERE id = $1`, [widgetId, policy]);
        return { result: undefined, liveFrom: previousLive ? current - 1 : current, policy };
      },
      beforeCommit,
    );
  }

  /**
   * Deletes the widget (its row stays, marked, for the conversations that name it) and every secret of it: no
   * digest verifies from then on, and the cache is told first. False where it was deleted already.
   */
  async destroy(widgetId: string, beforeCommit: (change: SecretChange) => Promise<void>): Promise<boolean> {
    return this.change(
      widgetId,
      async (tx, current) => {
        const deleted = await queryChange(tx, `UPDATE widgets SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, [widgetId]);
        if (deleted.count === 0) return { result: false };
        await execute(tx, `DELETE FROM widget_secrets WHERE widget_id = $1`, [widgetId]);
        return { result: true, liveFrom: current + 1 };
      },
      beforeCommit,
    );
  }

  /** The newest version, and whether the one before it still verifies. */
  async status(widgetId: string): Promise<{ version: number; previousLive: boolean }> {
    const rows = await queryRows<{ version: number; retired_at: Date | null }>(
      this.db,
      `SELECT version, retired_at FROM widget_secrets WHERE widget_id = $1 ORDER BY version DESC LIMIT 2`,
      [widgetId],
    );
    return { version: rows[0]?.version ?? 0, previousLive: rows[1] !== undefined && rows[1].retired_at === null };
  }

  /** The secrets, policy and key the verifier decides with; null for a widget without a secret. */
  async current(widgetId: string): Promise<WidgetSecretVersions | null> {
    const rows = await queryRows<SealedRow & { retired_at: Date | null; identity_policy: IdentityPolicy; widget_key: string; secret_generation: number }>(
      this.db,
      `SELECT ${SEALED_COLUMNS}, retired_at, w.identity_policy, w.key AS widget_key, w.secret_generation
       FROM widget_secrets JOIN widgets w ON w.id = widget_id WHERE widget_id = $1 ORDER BY version DESC LIMIT 2`,
      [widgetId],
    );
    const [current, previous] = rows;
    if (!current) return null;
    return {
      version: current.version,
      secret: this.open(widgetId, current),
      previous: previous && this.open(widgetId, previous),
      previousLive: previous !== undefined && previous.retired_at === null,
      policy: current.identity_policy,
      widgetKey: current.widget_key,
      generation: current.secret_generation,
    };
  }

  /**
   * One change of what the verifier caches, serialised per widget (the generation's UPDATE locks
   * the widget row). `apply` sees the newest version and whether the one before it is live;
   * an answer without `liveFrom` changed nothing. Only the version before the newest is kept: live in a staged
   * rotation, retired to tell a stale digest from a wrong one.
   */
  private async change<T>(
    widgetId: string,
    apply: (tx: Sql, current: number, previousLive: boolean) => Promise<{ result: T; liveFrom?: number; policy?: IdentityPolicy }>,
    beforeCommit: (change: SecretChange) => Promise<void>,
  ): Promise<T> {
    return transaction(this.db, async (tx) => {
      const bumped = await queryChange<{ secret_generation: number }>(
        tx,
        `UPDATE widgets SET secret_generation = secret_generation + 1 WHERE id = $1 RETURNING secret_generation`,
        [widgetId],
      );
      const { secret_generation: generation } = requireRow(bumped.rows, 'the widget whose secrets change');
      const [newest, before] = await queryRows<{ version: number; retired_at: Date | null }>(
        tx,
        `SELECT version, retired_at FROM widget_secrets WHERE widget_id = $1 ORDER BY version DESC LIMIT 2`,
        [widgetId],
      );
      const applied = await apply(tx, newest?.version ?? 0, before !== undefined && before.retired_at === null);
      if (applied.liveFrom === undefined) return applied.result;
      await execute(tx, `DELETE FROM widget_secrets WHERE widget_id = $1 AND version < (SELECT max(version) FROM widget_secrets WHERE widget_id = $1) - 1`, [
        widgetId,
      ]);
      await beforeCommit({ liveFrom: applied.liveFrom, generation, ...(applied.policy ? { policy: applied.policy } : {}) });
      return applied.result;
    });
  }

  /** A new version's secret, stored as revealed: the call that made it answers with it. */
  private async add(tx: Sql, widgetId: string, version: number): Promise<string> {
    const secret = generateWidgetSecret();
    await this.insert(tx, widgetId, version, secret, true);
    return secret;
  }

  /** Re-seals every secret not yet under the newest master key; safe while the system runs. */
  async resealAll(): Promise<number> {
    const stale = await queryRows<SealedRow & { widget_id: string }>(this.db, `SELECT widget_id, ${SEALED_COLUMNS} FROM widget_secrets WHERE key_id <> $1`, [
      this.ring.currentKeyId,
    ]);
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

  private async insert(tx: Sql, widgetId: string, version: number, secret: string, revealed: boolean): Promise<void> {
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
