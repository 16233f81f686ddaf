import { IdentityPolicy, SecretStatus, StagedSecret, WidgetCreated, WidgetList, WidgetListed, WidgetSecret } from '@inviaro/contracts';
import { newWidgetKey, onlyRow, queryRows, transaction } from '@inviaro/persistence';
import { WidgetSecretVault } from '@inviaro/widget-secrets';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { CreateWidgetBody, UpdateWidgetBody } from './admin.dto';
import {
  GetSecretStatus,
  RetireSecret,
  RevealSecret,
  RotateSecret,
  SetIdentityPolicy,
  SetIdentityPolicyCommand,
  SetIdentityRequirement,
  SetIdentityRequirementCommand,
  StageSecret,
  WidgetCommand,
} from './secret-administration';
import { AdminApi, Answers } from '../http/documented';
import { ApiError } from '../http/api-error';
import { Widget, WIDGET_COLUMNS } from './widget-row';

@Controller('v1/admin/widgets')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class WidgetsController {
  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly revealSecret: RevealSecret,
    private readonly rotateSecret: RotateSecret,
    private readonly stageSecret: StageSecret,
    private readonly retireSecret: RetireSecret,
    private readonly status: GetSecretStatus,
    private readonly setIdentityPolicy: SetIdentityPolicy,
    private readonly setIdentityRequirement: SetIdentityRequirement,
  ) {}

  /** A widget and its first secret, which the admin then reveals once. */
  @Post()
  @Answers({ summary: 'a widget and its first secret (reveal it once)', status: 201, answer: WidgetCreated, errors: [400, 401, 413] })
  @HttpCode(201)
  async create(@AdminWorkspace() workspaceId: string, @Body() body: CreateWidgetBody): Promise<WidgetCreated> {
    const widget = await transaction(this.db, async (tx) => {
      const created = await onlyRow<Widget>(
        tx,
        `INSERT INTO widgets (workspace_id, key, name, allowed_origins) VALUES ($1, $2, $3, $4) RETURNING ${WIDGET_COLUMNS}`,
        [workspaceId, newWidgetKey(), body.name, body.allowed_origins],
      );
      await this.vault.create(tx, created.id);
      return created;
    });
    return { id: widget.id, key: widget.key, name: widget.name, allowed_origins: widget.allowed_origins };
  }

  /** Every widget of the workspace, oldest first (a workspace has a handful: no pages). */
  @Get()
  @Answers({ summary: 'every widget of the workspace, oldest first', status: 200, answer: WidgetList, errors: [401] })
  async list(@AdminWorkspace() workspaceId: string): Promise<WidgetList> {
    const widgets = await queryRows<Widget>(this.db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
    return { widgets: widgets.map(listed) };
  }

  /** The identity policy (docs/identity-jwt.md) and enforce mode (docs/identity-required.md), each in force when this answers. */
  @Patch(':id')
  @Answers({
    summary: 'changes the widget’s identity policy (user_hash, jwt or either) and enforce mode (identity_required, sign_in_prompt), in force when this answers',
    status: 200,
    answer: WidgetListed,
    errors: [400, 401, 404, 413],
  })
  async update(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateWidgetBody): Promise<WidgetListed> {
    const requirement = { identityRequired: body.identity_required, signInPrompt: body.sign_in_prompt };
    const setPolicy = async (identityPolicy: IdentityPolicy) =>
      this.setIdentityPolicy.execute(SetIdentityPolicyCommand.create({ workspaceId, widgetId: id, identityPolicy }));
    if (requirement.identityRequired === undefined && requirement.signInPrompt === undefined) {
      if (body.identity_policy === undefined)
        throw new ApiError(400, 'invalid_request', 'body: name at least one of identity_policy, identity_required, sign_in_prompt');
      return listed(await setPolicy(body.identity_policy));
    }
    if (body.identity_policy !== undefined) await setPolicy(body.identity_policy);
    return listed(await this.setIdentityRequirement.execute(SetIdentityRequirementCommand.create({ workspaceId, widgetId: id, ...requirement })));
  }

  @Post(':id/secret/reveal')
  @Answers({ summary: 'the widget secret, once after it was created or rotated', status: 200, answer: WidgetSecret, errors: [400, 401, 404, 410] })
  @HttpCode(200)
  async reveal(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<WidgetSecret> {
    return this.revealSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Where the widget's secrets stand, and how many claims of the last hour still used the previous one while it is live. */
  @Get(':id/secret')
  @Answers({
    summary: 'the current secret version, and the previous one while a staged rotation keeps it verifying',
    status: 200,
    answer: SecretStatus,
    errors: [400, 401, 404],
  })
  async secretStatus(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<SecretStatus> {
    return this.status.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** The next secret, verifying beside the current one until `retire`. */
  @Post(':id/secret/stage')
  @Answers({
    summary: 'a next secret that verifies beside the current one until retire (this answer is its one reveal)',
    status: 200,
    answer: StagedSecret,
    errors: [400, 401, 404, 409],
  })
  @HttpCode(200)
  async stage(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<StagedSecret> {
    return this.stageSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Ends the previous secret as `rotate` would: its digests and tokens fail, its live streams end. */
  @Post(':id/secret/retire')
  @Answers({
    summary: 'ends the previous secret of a staged rotation, in force when this answers',
    status: 200,
    answer: SecretStatus,
    errors: [400, 401, 404, 409],
  })
  @HttpCode(200)
  async retire(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<SecretStatus> {
    return this.retireSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Takes effect before it answers: from then on every old digest fails, on every instance. */
  @Post(':id/secret/rotate')
  @Answers({ summary: 'a new secret, in force when this answers (this answer is its one reveal)', status: 200, answer: WidgetSecret, errors: [400, 401, 404] })
  @HttpCode(200)
  async rotate(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<WidgetSecret> {
    return this.rotateSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }
}

const listed = (w: Widget): WidgetListed => ({
  id: w.id,
  key: w.key,
  name: w.name,
  allowed_origins: w.allowed_origins,
  identity_policy: w.identity_policy,
  identity_required: w.identity_required,
  sign_in_prompt: w.sign_in_prompt,
  created_at: w.created_at.toISOString(),
});
