import { deterministicId, MessageInbound } from '@inviaro/contracts';
import { EventPublisher } from '@inviaro/jetstream';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { WidgetAccess } from './widget-access';
import { CreateVisitorBody, PostMessageBody } from './widget.dto';

/** Seconds a widget should wait before retrying when the event stream does not answer. */
const STREAM_RETRY_AFTER = 2;

@Controller('v1/widget')
export class WidgetController {
  constructor(
    private readonly access: WidgetAccess,
    private readonly publisher: EventPublisher,
  ) {}

  @Post('visitors')
  @HttpCode(201)
  async createVisitor(@Body() body: CreateVisitorBody, @Headers('origin') origin?: string) {
    const widget = await this.access.widget(body.key, origin);
    const { token } = await this.access.newVisitor(widget);
    return { visitor_token: token };
  }

  /** Answers 202 only once the event is durably in the stream; a retry with the same client_message_id is the same message. */
  @Post('messages')
  @HttpCode(202)
  async postMessage(@Body() body: PostMessageBody, @Headers('origin') origin?: string) {
    const { widget, visitor } = await this.access.caller(body.key, origin, body.visitor_token);
    const messageId = deterministicId('message', visitor.id, body.client_message_id);
    const hasClaim = body.user_id !== undefined || body.user_hash !== undefined;
    try {
      await this.publisher.publish(
        MessageInbound,
        {
          kind: 'message',
          message_id: messageId,
          workspace_id: widget.workspace_id,
          widget_id: widget.id,
          visitor_id: visitor.id,
          text: body.text,
          email: body.email,
          name: body.name,
          claim: hasClaim ? { user_id: body.user_id, user_hash: body.user_hash } : null,
          received_at: new Date().toISOString(),
        },
        { id: messageId, correlationId: messageId },
      );
    } catch {
      throw new ApiError(503, 'stream_unavailable', 'the message could not be queued; try again', STREAM_RETRY_AFTER);
    }
    return { message_id: messageId };
  }
}
