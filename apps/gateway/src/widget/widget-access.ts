import { execute, hashToken, newToken, onlyRow, prepared, queryRows, Sql } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { RateBudgets } from '../http/rate-limits';
import { RecentMisses } from './recent-misses';
import { TickBatch } from '../http/tick-batch';

/** What a widget call needs of its widget's row. */
interface WidgetRef {
  id: string;
  workspace_id: string;
  allowed_origins: string[];
}

export interface WidgetCaller {
  widget: WidgetRef;
  visitor: { id: string };
  /** Enforce mode, read with the widget on every call (never cached): in force when its PATCH answered. */
  identity: { required: boolean; signInPrompt: string | null };
}

/**
 * How long a key or token that matched nothing is refused without asking PostgreSQL again. Keys and
 * tokens are random and handed out only once their row exists, so one that matched nothing cannot
 * start to match later (a logged-out token stays logged out, a deleted widget stays deleted): the only
 * cost is memory, bounded here.
 */
const MISS_TTL_MS = 60_000;
const MAX_MISSES = 10_000;

const WIDGETS_BY_KEY =
  'SELECT id, workspace_id, allowed_origins, identity_required, sign_in_prompt, key FROM widgets WHERE key = ANY($1) AND deleted_at IS NULL';
const LIVE_VISITORS = 'SELECT id, widget_id, token_hash FROM visitors WHERE token_hash = ANY($1) AND logged_out_at IS NULL';

/** A widget as every call reads it: enforce mode comes with it, never cached, so it is in force when its PATCH answered. */
type WidgetRow = WidgetRef & { identity_required: boolean; sign_in_prompt: string | null };
type LiveVisitor = { id: string; widget_id: string };

/**
 * Who may call the widget API: a known widget key, from one of that widget's allowed origins,
 * and (past visitor creation) a visitor token of that widget that has not logged out. Only a call
 * that passed all of these spends its widget's and visitor's budgets (docs/api.md §4).
 */
@Injectable()
export class WidgetAccess {
  /** This runs on every widget call: each pooled connection prepares its statements once. */
  private readonly hotPath: Sql;
  /**
   * The widgets of the calls in hand, by key, in one query. Read on every call, never cached: an origin
   * removed or a widget deleted through any gateway is refused by every gateway once that call answers.
   */
  private readonly widgetsByKey = new TickBatch<string, WidgetRow | undefined>(async (keys) => {
    const rows = await queryRows<WidgetRow & { key: string }>(this.hotPath, WIDGETS_BY_KEY, [keys]);
    const byKey = new Map(rows.map(({ key, ...widget }) => [key, widget]));
    return keys.map((key) => byKey.get(key));
  });
  private readonly unknownKeys = new RecentMisses(MISS_TTL_MS, MAX_MISSES);
  private readonly deadTokens = new RecentMisses(MISS_TTL_MS, MAX_MISSES);
  /** The visitors of the calls in hand, by token hash, in one query. */
  private readonly liveVisitors = new TickBatch<Buffer, LiveVisitor | undefined>(async (hashes) => {
    const rows = await queryRows<LiveVisitor & { token_hash: Buffer }>(this.hotPath, LIVE_VISITORS, [hashes]);
    const byHash = new Map(rows.map((row) => [row.token_hash.toString('base64'), row]));
    return hashes.map((hash) => byHash.get(hash.toString('base64')));
  });

  constructor(
    private readonly db: Pool,
    private readonly budgets: RateBudgets,
  ) {
    this.hotPath = prepared(db);
  }

  /** A call without a visitor (visitor creation): spends the widget's budget. */
  async widget(key: string, origin: string | undefined): Promise<WidgetRef> {
    const widget = await this.allowedWidget(key, origin);
    await this.budgets.spend([this.budgets.widget(widget.id)]);
    return widget;
  }

  /**
   * The widget and the visitor are read on every call, never cached, at once (one round trip): a logout stops
   * its token at once. The widget decides first, so a wrong key or origin is told as such.
   */
  async caller(key: string, origin: string | undefined, visitorToken: string): Promise<WidgetCaller> {
    const tokenHash = hashToken(visitorToken);
    const miss = tokenHash.toString('base64');
    const [{ identity_required, sign_in_prompt, ...widget }, visitor] = await Promise.all([
      this.allowedWidget(key, origin),
      this.deadTokens.has(miss) ? undefined : this.liveVisitors.call(tokenHash),
    ]);
    if (!visitor) this.deadTokens.add(miss);
    // A token of another widget is refused here, not everywhere.
    if (visitor?.widget_id !== widget.id) throw new ApiError(401, 'invalid_visitor_token', 'the visitor token is unknown or has logged out');
    await this.budgets.spend([this.budgets.widget(widget.id), this.budgets.visitor(visitor.id)]);
    return { widget, visitor: { id: visitor.id }, identity: { required: identity_required, signInPrompt: sign_in_prompt } };
  }

  /** Whether a visitor token still works, read afresh: a stream asks again once its listener is in place. */
  async stillLoggedIn(visitorToken: string, widgetId: string): Promise<boolean> {
    return (await this.liveVisitors.call(hashToken(visitorToken)))?.widget_id === widgetId;
  }

  private async allowedWidget(key: string, origin: string | undefined): Promise<WidgetRow> {
    const widget = await this.readWidget(key);
    if (!origin || !widget.allowed_origins.includes(origin)) {
      throw new ApiError(403, 'origin_not_allowed', 'this page’s origin is not among the widget’s allowed origins');
    }
    return widget;
  }

  private async readWidget(key: string): Promise<WidgetRow> {
    const widget = this.unknownKeys.has(key) ? undefined : await this.widgetsByKey.call(key);
    if (!widget) {
      this.unknownKeys.add(key);
      throw new ApiError(404, 'widget_not_found', 'no widget has this key');
    }
    return widget;
  }

  /** A new visitor; the token is returned once and only its hash is kept. */
  async newVisitor(widget: WidgetRef): Promise<{ visitor: { id: string }; token: string }> {
    const token = newToken('vt');
    const visitor = await onlyRow<{ id: string }>(this.db, 'INSERT INTO visitors (widget_id, token_hash) VALUES ($1, $2) RETURNING id', [
      widget.id,
      hashToken(token),
    ]);
    return { visitor, token };
  }

  /** The token stops working at once; the visitor's history stays for the inbox. */
  async logout(visitor: { id: string }): Promise<void> {
    await execute(this.db, 'UPDATE visitors SET logged_out_at = now() WHERE id = $1', [visitor.id]);
  }
}
