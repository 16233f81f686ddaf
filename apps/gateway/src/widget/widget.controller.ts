import { deterministicId, InboundClaim, MessageInbound, MessageInboundData, newId } from '@inviaro/contracts';
import { EventPublisher } from '@inviaro/jetstream';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { WidgetAccess, WidgetCaller } from './widget-access';
import { ClaimBody, CreateVisitorBody, PostMessageBody, VisitorBody } from './widget.dto';

/** Seconds a widget should wait before retrying when the event stream does not answer. */
const STREAM_RETRY_AFTER = 2;

/** The claim exactly as sent, or none when the page sent neither field. */
function claimOf(body: ClaimBody): InboundClaim | null {
  return body.user_id !== undefined || body.user_hash !== undefined ? { user_id: body.user_id, user_hash: body.user_hash } : null;
}

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
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    const messageId = deterministicId('message', caller.visitor.id, body.client_message_id);
    await this.publishInbound(caller, body, { kind: 'message', message_id: messageId, text: body.text });
    return { message_id: messageId };
  }

  /** The widget's runtime `identify`: verifies and folds without a message. */
  @Post('identify')
  @HttpCode(202)
  async identify(@Body() body: ClaimBody, @Headers('origin') origin?: string) {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    await this.publishInbound(caller, body, { kind: 'identify', message_id: newId() });
    return {};
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: VisitorBody, @Headers('origin') origin?: string) {
    const { visitor } = await this.access.caller(body.key, origin, body.visitor_token);
    await this.access.logout(visitor);
  }

  private async publishInbound(caller: WidgetCaller, body: ClaimBody, event: Pick<MessageInboundData, 'kind' | 'message_id' | 'text'>): Promise<void> {
    try {
      await this.publisher.publish(
        MessageInbound,
        {
          ...event,
          workspace_id: caller.widget.workspace_id,
          widget_id: caller.widget.id,
          visitor_id: caller.visitor.id,
          email: body.email,
          name: body.name,
          claim: claimOf(body),
          received_at: new Date().toISOString(),
        },
        { id: event.message_id, correlationId: event.message_id },
      );
    } catch {
      throw new ApiError(503, 'stream_unavailable', 'the event could not be queued; try again', STREAM_RETRY_AFTER);
    }
  }
}
