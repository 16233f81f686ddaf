import { deterministicId, MessageStored, newId, Reply, ReplyRequest } from '@inviaro/contracts';
import { EventPublisher, OnRequest } from '@inviaro/bus';
import { firstRow, onlyRow } from '@inviaro/persistence';
import { Controller } from '@nestjs/common';
import { Pool } from 'pg';

/** The conversation a reply goes to, with what its message.stored event names. */
interface ReplyTarget {
  id: string;
  widget_id: string;
  visitor_id: string;
  contact_id: string;
  workspace_id: string;
  user_id: string | null;
}

/** The one write the gateway asks the contacts service for: an operator's reply. */
@Controller()
export class OperatorReplies {
  constructor(
    private readonly db: Pool,
    private readonly publisher: EventPublisher,
  ) {}

  /** An operator's reply: stored in the conversation, then published for the visitor's open widgets. */
  @OnRequest(Reply)
  async storeAndPublish(request: ReplyRequest): Promise<{ message_id: string } | null> {
    const conversation = await firstRow<ReplyTarget>(
      this.db,
      `SELECT v.id, v.widget_id, v.visitor_id, v.contact_id, c.workspace_id, c.user_id
       FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = $1 AND c.workspace_id = $2`,
      [request.conversation_id, request.workspace_id],
    );
    if (!conversation) return null;
    const messageId = newId();
    const { created_at } = await onlyRow<{ created_at: Date }>(
      this.db,
      `INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES ($1, $2, 'operator', $3, now()) RETURNING created_at`,
      [messageId, conversation.id, request.text],
    );
    await this.publisher.publish(
      MessageStored,
      {
        message_id: messageId,
        workspace_id: conversation.workspace_id,
        widget_id: conversation.widget_id,
        contact_id: conversation.contact_id,
        conversation_id: conversation.id,
        visitor_id: conversation.visitor_id,
        user_id: conversation.user_id ?? undefined,
        author: 'operator',
        text: request.text,
        created_at: new Date(created_at).toISOString(),
      },
      { id: deterministicId(MessageStored.subject, messageId), correlationId: messageId },
    );
    return { message_id: messageId };
  }
}
