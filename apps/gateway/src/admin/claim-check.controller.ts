import { ClaimCheckAnswer, DiagnoseClaim, reduceClaim } from '@inviaro/contracts';
import { RequestClient } from '@inviaro/bus';
import { Body, Controller, Param, ParseUUIDPipe, Post, Req, UseGuards } from '@nestjs/common';
import { Request } from 'express';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { askService } from '../http/ask-service';
import { AdminApi, Answers } from '../http/documented';
import { RateBudgets } from '../http/rate-limits';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { ClaimCheckBody } from './admin.dto';
import { Audited } from './audit/audited';
import { workspaceWidget } from './widget-row';

/**
 * "Why does my hash fail?", for a customer's developer: the verifier decides the claim as it would a page's
 * (its decision code, over a request as history reads do) and says what most likely went wrong. Admin only,
 * never public: each check spends the address's budget of failed admin authentications
 * (RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE), so it cannot be a fast oracle. Nothing is recorded; the hash
 * and the token are never logged or answered. The audit log keeps that a check was made (widget.claim_check), not its claim.
 */
@Controller('v1/admin/widgets')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class ClaimCheckController {
  constructor(
    private readonly db: Pool,
    private readonly requests: RequestClient,
    private readonly budgets: RateBudgets,
  ) {}

  @Post(':id/claim-check')
  @Answers({
    summary: 'what the verifier decides of a claim now (user_id + user_hash, or user_jwt), with a hint; records nothing',
    status: 200,
    answer: ClaimCheckAnswer,
    errors: [400, 401, 403, 404, 413, 429],
  })
  @Audited('widget.claim_check')
  async check(
    @AdminWorkspace() workspaceId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ClaimCheckBody,
    @Req() request: Request,
  ): Promise<ClaimCheckAnswer> {
    await this.budgets.spend([this.budgets.adminFailures(request)]);
    if (body.user_hash === undefined && body.user_jwt === undefined)
      throw new ApiError(400, 'invalid_request', 'user_hash: send user_id with user_hash, or user_jwt');
    await workspaceWidget(this.db, { workspaceId, widgetId: id });
    const claim = reduceClaim({ user_id: body.user_id, user_hash: body.user_hash, user_jwt: body.user_jwt });
    const answer = await askService(() => this.requests.request(DiagnoseClaim, { widget_id: id, claim }));
    // The widget went between the two reads.
    if (!answer) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
    return answer;
  }
}
