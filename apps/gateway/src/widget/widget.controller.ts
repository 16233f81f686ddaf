import { ClaimCheck, ContactsHistory, deterministicId, HistoryMessage, InboundClaim, MessageInbound, MessageInboundData, newId } from '@inviaro/contracts';
import { EventPublisher, RequestClient } from '@inviaro/jetstream';
import { CORRELATION_LOCAL } from '@inviaro/observability';
import { Body, Controller, Headers, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { Response } from 'express';
import { ApiError } from '../http/api-error';
import { askService } from '../http/ask-service';
import { WidgetRateLimit } from '../http/rate-limits';
import { WidgetAccess, WidgetCaller } from './widget-access';
import { LiveUpdates } from '../live/live-updates';
import { ClaimBody, CreateVisitorBody, HistoryBody, PostMessageBody, VisitorBody } from './widget.dto';
import { Accepted, History, MessageAccepted, VisitorCreated } from '../openapi/answers';
import { Answers } from '../openapi/documented';

/** Seconds a widget should wait before retrying when the event stream does not answer. */
const RETRY_AFTER = 2;
/** Comment lines on an open stream, so that proxies do not close it for silence. */
const HEARTBEAT_MS = 25_000;

/** The claim exactly as sent, or none when the page sent neither field. */
function claimOf(body: ClaimBody): InboundClaim | null {
  return body.user_id !== undefined || body.user_hash !== undefined ? { user_id: body.user_id, user_hash: body.user_hash } : null;
}

/** Rate-limited per widget and per visitor (429 with Retry-After). */
@Controller('v1/widget')
@UseGuards(WidgetRateLimit)
export class WidgetController {
  constructor(
    private readonly access: WidgetAccess,
    private readonly publisher: EventPublisher,
    private readonly requests: RequestClient,
    private readonly live: LiveUpdates,
  ) {}

  @Post('visitors')
  @Answers({ summary: 'a visitor token for this browser', status: 201, answer: VisitorCreated, errors: [400, 403, 404, 413, 429] })
  @HttpCode(201)
  async createVisitor(@Body() body: CreateVisitorBody, @Headers('origin') origin?: string) {
    const widget = await this.access.widget(body.key, origin);
    const { token } = await this.access.newVisitor(widget);
    return { visitor_token: token };
  }

  /** Answers 202 only once the event is durably in the stream; a retry with the same client_message_id is the same message. */
  @Post('messages')
  @Answers({ summary: 'a message, with the page’s claim if any (a malformed claim is dropped, never a 400)', status: 202, answer: MessageAccepted, errors: [400, 401, 403, 404, 413, 429] })
  @HttpCode(202)
  async postMessage(@Body() body: PostMessageBody, @Res({ passthrough: true }) response: Response, @Headers('origin') origin?: string) {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    const messageId = deterministicId('message', caller.visitor.id, body.client_message_id);
    await this.publishInbound(caller, body, { kind: 'message', message_id: messageId, text: body.text }, response);
    return { message_id: messageId };
  }

  /** The widget's runtime `identify`: verifies and folds without a message. */
  @Post('identify')
  @Answers({ summary: 'the page’s claim without a message: verifies and folds', status: 202, answer: Accepted, errors: [400, 401, 403, 404, 413, 429] })
  @HttpCode(202)
  async identify(@Body() body: ClaimBody, @Res({ passthrough: true }) response: Response, @Headers('origin') origin?: string) {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    await this.publishInbound(caller, body, { kind: 'identify', message_id: newId() }, response);
    return {};
  }

  @Post('logout')
  @Answers({ summary: 'ends the visitor token', status: 204, errors: [400, 401, 403, 404, 413, 429] })
  @HttpCode(204)
  async logout(@Body() body: VisitorBody, @Headers('origin') origin?: string) {
    const { visitor } = await this.access.caller(body.key, origin, body.visitor_token);
    await this.access.logout(visitor);
    this.live.closeWhere((view) => view.visitorId === visitor.id);
  }

  /** The visitor's own anonymous history, and the verified user's whole history only while the claim verifies now. */
  @Post('history')
  @Answers({ summary: 'what this visitor may see now, oldest first', status: 200, answer: History, errors: [400, 401, 403, 404, 413, 429] })
  @HttpCode(200)
  async history(@Body() body: HistoryBody, @Headers('origin') origin?: string) {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    const userId = await this.verifiedUser(caller, body);
    return askService(() =>
      this.requests.request(ContactsHistory, { workspace_id: caller.widget.workspace_id, visitor_id: caller.visitor.id, user_id: userId, before: body.before, limit: body.limit }),
    );
  }

  /** New messages the visitor may see, as server-sent events over a POST (the token stays out of URLs). */
  @Post('stream')
  @Answers({
    summary: 'new messages as they are stored, as server-sent events',
    status: 200,
    produces: { type: 'text/event-stream', description: 'an `event: ready` with `{"is_verified"}`, then an `event: message` per message (as in history)' },
    errors: [400, 401, 403, 404, 413, 429],
  })
  async stream(@Body() body: ClaimBody, @Res() response: Response, @Headers('origin') origin?: string) {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    const userId = await this.verifiedUser(caller, body);
    response.status(200).set({ 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.flushHeaders();
    response.write(`event: ready\ndata: ${JSON.stringify({ is_verified: userId !== undefined })}\n\n`);
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stop = this.live.open(
      { widgetId: caller.widget.id, workspaceId: caller.widget.workspace_id, visitorId: caller.visitor.id, userId },
      (message: HistoryMessage) => response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`),
      () => response.end(),
    );
    response.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  }

  /** The user id of the page's claim if it verifies now (the verifier decides); undefined otherwise. */
  private async verifiedUser(caller: WidgetCaller, body: ClaimBody): Promise<string | undefined> {
    const claim = claimOf(body);
    if (!claim) return undefined;
    const result = await askService(() => this.requests.request(ClaimCheck, { widget_id: caller.widget.id, claim }));
    return result.verified ? result.user_id : undefined;
  }

  /** The event's id is its correlation id, here, in the request's log line and in every service after. */
  private async publishInbound(caller: WidgetCaller, body: ClaimBody, event: Pick<MessageInboundData, 'kind' | 'message_id' | 'text'>, response: Response): Promise<void> {
    response.locals[CORRELATION_LOCAL] = event.message_id;
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
      throw new ApiError(503, 'stream_unavailable', 'the event could not be queued; try again', RETRY_AFTER);
    }
  }
}
