import { hashToken, newToken, Visitor, Widget } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { ApiError } from '../http/api-error';

type WidgetRef = Pick<Widget, 'id' | 'workspace_id' | 'allowed_origins'>;

export interface WidgetCaller {
  widget: WidgetRef;
  visitor: Pick<Visitor, 'id'>;
}

/**
 * Who may call the widget API: a known widget key, from one of that widget's allowed origins,
 * and (past visitor creation) a visitor token of that widget that has not logged out.
 */
@Injectable()
export class WidgetAccess {
  constructor(
    private readonly db: DataSource,
    @InjectRepository(Visitor) private readonly visitors: Repository<Visitor>,
  ) {}

  async widget(key: string, origin: string | undefined): Promise<WidgetRef> {
    return (await this.lookup(key, origin, null)).widget;
  }

  /** Widget and visitor in one round trip: this runs on every widget call. */
  async caller(key: string, origin: string | undefined, visitorToken: string): Promise<WidgetCaller> {
    const { widget, visitorId } = await this.lookup(key, origin, hashToken(visitorToken));
    if (!visitorId) throw new ApiError(401, 'invalid_visitor_token', 'the visitor token is unknown or has logged out');
    return { widget, visitor: { id: visitorId } };
  }

  private async lookup(key: string, origin: string | undefined, tokenHash: Buffer | null): Promise<{ widget: WidgetRef; visitorId?: string }> {
    const [row] = await this.db.query(
      `SELECT w.id, w.workspace_id, w.allowed_origins, v.id AS visitor_id
       FROM widgets w LEFT JOIN visitors v ON v.widget_id = w.id AND v.token_hash = $2 AND v.logged_out_at IS NULL
       WHERE w.key = $1`,
      [key, tokenHash],
    );
    if (!row) throw new ApiError(404, 'widget_not_found', 'no widget has this key');
    if (!origin || !row.allowed_origins.includes(origin)) {
      throw new ApiError(403, 'origin_not_allowed', 'this page’s origin is not among the widget’s allowed origins');
    }
    return { widget: { id: row.id, workspace_id: row.workspace_id, allowed_origins: row.allowed_origins }, visitorId: row.visitor_id ?? undefined };
  }

  /** A new visitor; the token is returned once and only its hash is kept. */
  async newVisitor(widget: WidgetRef): Promise<{ visitor: Visitor; token: string }> {
    const token = newToken('vt');
    const visitor = await this.visitors.save(this.visitors.create({ widget_id: widget.id, token_hash: hashToken(token), logged_out_at: null }));
    return { visitor, token };
  }

  /** The token stops working at once; the visitor's history stays for the inbox. */
  async logout(visitor: Pick<Visitor, 'id'>): Promise<void> {
    await this.visitors.update({ id: visitor.id }, { logged_out_at: new Date() });
  }
}
