import {
  Accepted,
  carriesJwt,
  carriesUserHash,
  ClaimCheck,
  ContactsHistory,
  deterministicId,
  WidgetHistory,
  InboundClaim,
  MessageAccepted,
  MessageInbound,
  MessageInboundData,
  newId,
  reduceClaim,
  VisitorCreated,
  VisitorLoggedOut,
} from '@inviaro/contracts';
import { EventPublisher, RequestClient } from '@inviaro/bus';
import { ClaimKeys } from '@inviaro/widget-secrets';
import { CORRELATION_LOCAL } from '@inviaro/observability';
import { Body, Controller, Headers, Post, Res, UseGuards } from '@nestjs/common';
import { Response } from 'express';
import { ApiError, unavailable } from '../http/api-error';
import { askService } from '../http/ask-service';
import { addressBudgetKey } from '../http/client-address';
import { NewVisitorsRateLimit } from '../http/rate-limits';
import { WidgetAccess, WidgetCaller } from './widget-access';
import { serveLiveStream } from '../live/live-stream';
import { InboundBacklog } from '../http/inbound-backlog';
import { LiveUpdates, LiveView } from '../live/live-updates';
import { ClaimBody, CreateVisitorBody, HistoryBody, PostMessageBody, VisitorBody } from './widget.dto';
import { Answers } from '../http/documented';

/** The page's claim reduced to what could verify (a malformed one to its reason), or none when the page sent no claim field. */
function claimOf(body: ClaimBody): InboundClaim | null {
  const claim: InboundClaim = { user_id: body.user_id, user_hash: body.user_hash, user_jwt: body.user_jwt };
  return carriesUserHash(claim) || carriesJwt(claim) ? reduceClaim(claim) : null;
}

/** Rate-limited per client address first (`spendAddressBudget`, before the body is read), then per widget and per visitor (429 with Retry-After). */
@Controller('v1/widget')
export class WidgetController {
  constructor(
    private readonly access: WidgetAccess,
    private readonly publisher: EventPublisher,
    private readonly requests: RequestClient,
    private readonly live: LiveUpdates,
    private readonly claimKeys: ClaimKeys,
    private readonly backlog: InboundBacklog,
  ) {}

  @Post('visitors')
  @Answers({ summary: 'a visitor token for this browser', status: 201, answer: VisitorCreated, errors: [400, 403, 404, 413, 429] })
  @UseGuards(NewVisitorsRateLimit)
  async createVisitor(@Body() body: CreateVisitorBody, @Headers('origin') origin?: string): Promise<VisitorCreated> {
    const widget = await this.access.widget(body.key, origin);
    const { token } = await this.access.newVisitor(widget);
    return { visitor_token: token };
  }

  /** Answers 202 only once the event is durably in the stream; a retry with the same client_message_id is the same message. */
  @Post('messages')
  @Answers({
    summary: 'a message, with the page’s claim if any (a malformed claim is dropped, never a 400)',
    status: 202,
    answer: MessageAccepted,
    errors: [400, 401, 403, 404, 413, 429, 503],
  })
  async postMessage(
    @Body() body: PostMessageBody,
    @Res({ passthrough: true }) response: Response,
    @Headers('origin') origin?: string,
  ): Promise<MessageAccepted> {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    await this.requireIdentity(caller, body);
    const messageId = deterministicId('message', caller.visitor.id, body.client_message_id);
    await this.publishInbound(caller, body, { kind: 'message', message_id: messageId, text: body.text }, response);
    return { message_id: messageId };
  }

  /** The widget's runtime `identify`: verifies and folds without a message. */
  @Post('identify')
  @Answers({ summary: 'the page’s claim without a message: verifies and folds', status: 202, answer: Accepted, errors: [400, 401, 403, 404, 413, 429, 503] })
  async identify(@Body() body: ClaimBody, @Res({ passthrough: true }) response: Response, @Headers('origin') origin?: string): Promise<Accepted> {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    await this.requireIdentity(caller, body);
    await this.publishInbound(caller, body, { kind: 'identify', message_id: newId() }, response);
    return {};
  }

  @Post('logout')
  @Answers({ summary: 'ends the visitor token', status: 204, errors: [400, 401, 403, 404, 413, 429] })
  async logout(@Body() body: VisitorBody, @Headers('origin') origin?: string): Promise<void> {
    const { widget, visitor } = await this.access.caller(body.key, origin, body.visitor_token);
    await this.access.logout(visitor);
    this.live.closeWhere((view) => view.visitorId === visitor.id);
    // Its streams on the other gateway instances end too; a retried logout tells them again.
    try {
      await this.publisher.publish(
        VisitorLoggedOut,
        { workspace_id: widget.workspace_id, widget_id: widget.id, visitor_id: visitor.id },
        { correlationId: visitor.id },
      );
    } catch {
      throw unavailable('stream_unavailable', 'the logout could not reach every server; try again');
    }
  }

  /** The visitor's own anonymous history, and the verified user's whole history only while the claim verifies now. */
  @Post('history')
  @Answers({ summary: 'what this visitor may see now, oldest first', status: 200, answer: WidgetHistory, errors: [400, 401, 403, 404, 413, 429] })
  async history(@Body() body: HistoryBody, @Headers('origin') origin?: string): Promise<WidgetHistory> {
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    const { userId } = await this.verifiedUser(caller, body);
    const history = await askService(() =>
      this.requests.request(ContactsHistory, {
        workspace_id: caller.widget.workspace_id,
        visitor_id: caller.visitor.id,
        user_id: userId,
        before: body.before,
        limit: body.limit,
      }),
    );
    return { ...history, identity_required: caller.identity.required, sign_in_prompt: caller.identity.signInPrompt };
  }

  /** New messages the visitor may see, as server-sent events over a POST (the token stays out of URLs). */
  @Post('stream')
  @Answers({
    summary: 'new messages as they are stored, as server-sent events',
    status: 200,
    produces: {
      type: 'text/event-stream',
      description:
        'an `event: ready` with `{"is_verified"}`, then an `event: message` per message (as in history), until the server ends it (a logout, a claim that stopped verifying, its maximum lifetime): open it again and re-read history',
    },
    errors: [400, 401, 403, 404, 413, 429],
  })
  async stream(@Body() body: ClaimBody, @Res() response: Response, @Headers('origin') origin?: string): Promise<void> {
    // `ip` honours TRUST_PROXY, as the address budgets do.
    const clientAddress = addressBudgetKey(response.req.ip ?? 'unknown');
    this.live.assertRoomFor(clientAddress);
    const caller = await this.access.caller(body.key, origin, body.visitor_token);
    // The version the claim verified under: a rotation or retire that ends it ends this stream, however they interleave.
    const verified = await this.verifiedUser(caller, body);
    // The origin passed the caller's check: a later change of the widget's origins ends the stream unless it keeps this one.
    const view: LiveView = {
      widgetId: caller.widget.id,
      workspaceId: caller.widget.workspace_id,
      visitorId: caller.visitor.id,
      origin: origin!,
      clientAddress,
      ...verified,
    };
    // A logout answered during the checks above ended no listener of this stream: it is checked again once in place.
    serveLiveStream(this.live, response, view, () => this.access.stillLoggedIn(body.visitor_token, caller.widget.id));
  }

  /** Enforce mode: without a claim that verifies now, nothing is accepted (no event, so no anonymous contact). */
  private async requireIdentity(caller: WidgetCaller, body: ClaimBody): Promise<void> {
    if (caller.identity.required && (await this.verifiedUser(caller, body)).userId === undefined)
      throw new ApiError(401, 'identity_required', 'this chat needs a signed-in user: send a claim that verifies');
  }

  /** The user of the page's claim if it verifies now (the verifier decides), with what it verified by and under (what ends its stream); nothing otherwise. */
  private async verifiedUser(caller: WidgetCaller, body: ClaimBody): Promise<Pick<LiveView, 'userId' | 'secretVersion' | 'verifiedBy' | 'verifiedUntil'>> {
    const claim = claimOf(body);
    if (!claim) return {};
    const result = await askService(() => this.requests.request(ClaimCheck, { widget_id: caller.widget.id, claim }));
    if (!result.verified) return {};
    // From a verifier of before these were answered (a rolling upgrade): version 0, older than any, so the first rotation ends the stream; a user_hash, the only kind then.
    const until = result.verified_until === undefined ? {} : { verifiedUntil: Date.parse(result.verified_until) };
    return { userId: result.user_id, secretVersion: result.secret_version ?? 0, verifiedBy: result.verified_by ?? 'user_hash', ...until };
  }

  /** The event's id is its correlation id, here, in the request's log line and in every service after. */
  private async publishInbound(
    caller: WidgetCaller,
    body: ClaimBody,
    event: Pick<MessageInboundData, 'kind' | 'message_id' | 'text'>,
    response: Response,
  ): Promise<void> {
    response.locals[CORRELATION_LOCAL] = event.message_id;
    this.backlog.admit();
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
          // Sealed here, opened only by the verifier: the bus and its store on disk never hold the hash.
          sealed_claim: this.claimKeys.seal(claimOf(body), { eventId: event.message_id, widgetId: caller.widget.id, visitorId: caller.visitor.id }),
          received_at: new Date().toISOString(),
        },
        { id: event.message_id, correlationId: event.message_id },
      );
    } catch {
      throw unavailable('stream_unavailable', 'the event could not be queued; try again');
    }
    // An identify stores no message: nothing to wait for.
    if (event.kind === 'message') this.backlog.accepted(event.message_id);
  }
}
