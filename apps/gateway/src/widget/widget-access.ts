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
  /** Enforce mode, read with the visitor on every call (never cached): in force when its PATCH answered. */
  identity: { required: boolean; signInPrompt: string | null };
}

/**
 * How long a widget row is reused without reading it again. Widgets are only ever created, so a
 * stale row cannot grant anything.
 */
const WIDGET_TTL_MS = 10_000;
/**
 * How long a key or token that matched nothing is refused without asking PostgreSQL again. Keys and
 * tokens are random and handed out only once their row exists, so one that matched nothing cannot
 * start to match later (a logged-out token stays logged out): the only cost is memory, bounded here.
 */
const MISS_TTL_MS = 60_000;
const MAX_MISSES = 10_000;

const WIDGET_BY_KEY = 'SELECT id, workspace_id, allowed_origins FROM widgets WHERE key = $1';
const LIVE_VISITORS = `SELECT v.id, v.widget_id, v.token_hash, w.identity_required, w.sign_in_prompt
  FROM visitors v JOIN widgets w ON w.id = v.widget_id WHERE v.token_hash = ANY($1) AND v.logged_out_at IS NULL`;

type LiveVisitor = { id: string; widget_id: string; identity_required: boolean; sign_in_prompt: string | null };

/**
 * Who may call the widget API: a known widget key, from one of that widget's allowed origins,
 * and (past visitor creation) a visitor token of that widget that has not logged out. Only a call
 * that passed all of these spends its widget's and visitor's budgets (docs/api.md §4).
 */
@Injectable()
export class WidgetAccess {
  /** This runs on every widget call: each pooled connection prepares its statements once. */
  private readonly hotPath: Sql;
  private readonly widgets = new Map<string, { widget: WidgetRef; until: number }>();
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

  /** The visitor is read on every call, never cached: a logout stops its token at once. */
  async caller(key: string, origin: string | undefined, visitorToken: string): Promise<WidgetCaller> {
    const widget = await this.allowedWidget(key, origin);
    const tokenHash = hashToken(visitorToken);
    // Per widget: a token of another widget is refused here, not everywhere.
    const miss = `${widget.id}:${tokenHash.toString('base64')}`;
    const visitor = this.deadTokens.has(miss) ? undefined : await this.liveVisitors.call(tokenHash);
    if (visitor?.widget_id !== widget.id) {
      this.deadTokens.add(miss);
      throw new ApiError(401, 'invalid_visitor_token', 'the visitor token is unknown or has logged out');
    }
    await this.budgets.spend([this.budgets.widget(widget.id), this.budgets.visitor(visitor.id)]);
    return { widget, visitor: { id: visitor.id }, identity: { required: visitor.identity_required, signInPrompt: visitor.sign_in_prompt } };
  }

  /** Whether a visitor token still works, read afresh: a stream asks again once its listener is in place. */
  async stillLoggedIn(visitorToken: string, widgetId: string): Promise<boolean> {
    return (await this.liveVisitors.call(hashToken(visitorToken)))?.widget_id === widgetId;
  }

  private async allowedWidget(key: string, origin: string | undefined): Promise<WidgetRef> {
    const cached = this.widgets.get(key);
    const widget = cached && cached.until > Date.now() ? cached.widget : await this.readWidget(key);
    if (!origin || !widget.allowed_origins.includes(origin)) {
      throw new ApiError(403, 'origin_not_allowed', 'this page’s origin is not among the widget’s allowed origins');
    }
    return widget;
  }

  private async readWidget(key: string): Promise<WidgetRef> {
    const rows = this.unknownKeys.has(key) ? [] : await queryRows<WidgetRef>(this.hotPath, WIDGET_BY_KEY, [key]);
    if (!rows[0]) {
      this.unknownKeys.add(key);
      throw new ApiError(404, 'widget_not_found', 'no widget has this key');
    }
    this.widgets.set(key, { widget: rows[0], until: Date.now() + WIDGET_TTL_MS });
    return rows[0];
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
