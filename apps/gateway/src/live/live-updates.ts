import { EventEnvelope, HistoryMessage, MessageStored, MessageStoredData, WidgetSecretRotated, WidgetSecretRotatedData } from '@inviaro/contracts';
import { OnEvent } from '@inviaro/jetstream';
import { Controller, Injectable } from '@nestjs/common';

/** What an open widget may see: its visitor's anonymous messages, or, when its claim verified, the user's. */
export interface LiveView {
  widgetId: string;
  workspaceId: string;
  visitorId: string;
  userId?: string;
}

interface Listener {
  view: LiveView;
  deliver(message: HistoryMessage): void;
  close(): void;
}

/**
 * The open widget streams of this gateway instance, and the routing of stored messages to them.
 * Every instance gets every message.stored and widget.secret.rotated (a consumer of its own).
 */
@Injectable()
export class LiveUpdates {
  private readonly listeners = new Set<Listener>();

  /** Returns the unsubscribe function. */
  open(view: LiveView, deliver: Listener['deliver'], close: Listener['close']): () => void {
    const listener = { view, deliver, close };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  route(message: MessageStoredData): void {
    for (const { view, deliver } of this.listeners) {
      const sees = message.user_id
        ? view.userId === message.user_id && view.workspaceId === message.workspace_id
        : view.visitorId === message.visitor_id;
      if (sees) deliver({ message_id: message.message_id, author: message.author, text: message.text, created_at: message.created_at });
    }
  }

  /** Verified streams of a widget whose secret rotated, and a visitor's streams on logout, end: the widget reconnects and is checked again. */
  closeWhere(matches: (view: LiveView) => boolean): void {
    for (const listener of [...this.listeners]) {
      if (!matches(listener.view)) continue;
      this.listeners.delete(listener);
      listener.close();
    }
  }
}

@Controller()
export class LiveUpdatesHandler {
  constructor(private readonly live: LiveUpdates) {}

  @OnEvent(MessageStored, { broadcast: true })
  stored(event: EventEnvelope<MessageStoredData>): void {
    this.live.route(event.data);
  }

  @OnEvent(WidgetSecretRotated, { broadcast: true })
  rotated(event: EventEnvelope<WidgetSecretRotatedData>): void {
    this.live.closeWhere((view) => view.widgetId === event.data.widget_id && view.userId !== undefined);
  }
}
