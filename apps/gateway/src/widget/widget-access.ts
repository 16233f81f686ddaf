import { hashToken, newToken, Visitor, Widget } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { ApiError } from '../http/api-error';

export interface WidgetCaller {
  widget: Widget;
  visitor: Visitor;
}

/**
 * Who may call the widget API: a known widget key, from one of that widget's allowed origins,
 * and (past visitor creation) a visitor token of that widget that has not logged out.
 */
@Injectable()
export class WidgetAccess {
  constructor(
    @InjectRepository(Widget) private readonly widgets: Repository<Widget>,
    @InjectRepository(Visitor) private readonly visitors: Repository<Visitor>,
  ) {}

  async widget(key: string, origin: string | undefined): Promise<Widget> {
    const widget = await this.widgets.findOneBy({ key });
    if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget has this key');
    if (!origin || !widget.allowed_origins.includes(origin)) {
      throw new ApiError(403, 'origin_not_allowed', 'this page’s origin is not among the widget’s allowed origins');
    }
    return widget;
  }

  async caller(key: string, origin: string | undefined, visitorToken: string): Promise<WidgetCaller> {
    const widget = await this.widget(key, origin);
    const visitor = await this.visitors.findOneBy({ widget_id: widget.id, token_hash: hashToken(visitorToken), logged_out_at: IsNull() });
    if (!visitor) throw new ApiError(401, 'invalid_visitor_token', 'the visitor token is unknown or has logged out');
    return { widget, visitor };
  }

  /** A new visitor; the token is returned once and only its hash is kept. */
  async newVisitor(widget: Widget): Promise<{ visitor: Visitor; token: string }> {
    const token = newToken('vt');
    const visitor = await this.visitors.save(this.visitors.create({ widget_id: widget.id, token_hash: hashToken(token), logged_out_at: null }));
    return { visitor, token };
  }

  /** The token stops working at once; the visitor's history stays for the inbox. */
  async logout(visitor: Visitor): Promise<void> {
    await this.visitors.update({ id: visitor.id }, { logged_out_at: new Date() });
  }
}
