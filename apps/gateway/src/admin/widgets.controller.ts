import { AuditAction, SecretStatus, StagedSecret, WidgetCreated, WidgetList, WidgetListed, WidgetSecret } from '@inviaro/contracts';
import { newWidgetKey, onlyRow, queryRows, transaction } from '@inviaro/persistence';
import { WidgetSecretVault } from '@inviaro/widget-secrets';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { Pool } from 'pg';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { Audited } from './audit/audited';
import { DeleteWidget } from './widget-settings/delete-widget.usecase';
import { UpdateWidget, UpdateWidgetCommand } from './widget-settings/update-widget.usecase';
import { OnlyKnownFields } from '../http/only-known-fields';
import { CreateWidgetBody, DeleteWidgetQuery, UpdateWidgetBody } from './admin.dto';
import { ContactEraser } from './contact-eraser';
import { GetSecretStatus, RetireSecret, RevealSecret, RotateSecret, StageSecret, WidgetCommand } from './secret-administration';
import { AdminApi, Answers } from '../http/documented';
import { Widget, WIDGET_COLUMNS, workspaceWidget } from './widget-row';

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
    private readonly updateWidget: UpdateWidget,
    private readonly deleteWidget: DeleteWidget,
    private readonly eraser: ContactEraser,
  ) {}

  /** A widget and its first secret, which the admin then reveals once. */
  @Post()
  @Audited('widget.create')
  @Answers({ summary: 'a widget and its first secret (reveal it once)', status: 201, answer: WidgetCreated, errors: [400, 401, 403, 413] })
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
  @Answers({ summary: 'every widget of the workspace, oldest first', status: 200, answer: WidgetList, errors: [401, 403] })
  async list(@AdminWorkspace() workspaceId: string): Promise<WidgetList> {
    const widgets = await queryRows<Widget>(
      this.db,
      `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE workspace_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [workspaceId],
    );
    return { widgets: widgets.map(listed) };
  }

  /**
   * Any of the widget's settings; a field left out keeps its value. In force when this answers: the identity
   * policy on every verifier (docs/identity-jwt.md), the origins and enforce mode (docs/identity-required.md) on every gateway.
   */
  @Patch(':id')
  // Above @Audited, so it runs inside the audit's interceptor (decorators apply bottom-up): a refused call is recorded too.
  @UseInterceptors(new OnlyKnownFields(UpdateWidgetBody))
  @Audited(widgetChanges)
  @Answers({
    summary:
      'changes the widget’s name, allowed origins, identity policy (user_hash, jwt or either) or enforce mode (identity_required, sign_in_prompt), in force when this answers',
    status: 200,
    answer: WidgetListed,
    errors: [400, 401, 403, 404, 413],
  })
  async update(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateWidgetBody): Promise<WidgetListed> {
    return listed(await this.updateWidget.execute(UpdateWidgetCommand.create({ workspaceId, widgetId: id, ...body })));
  }

  /**
   * The key stops working on every gateway and the secret is destroyed when this answers. The contacts stay,
   * unless `?erase=true`: then each contact with a conversation on it is erased first, as DELETE /v1/admin/contacts/{id}
   * erases one, so a failed erasure leaves the widget in place for the call to be repeated.
   */
  @Delete(':id')
  @Audited('widget.delete')
  @Answers({
    summary: 'deletes the widget: its key stops working everywhere and its secret is destroyed when this answers; its contacts stay, unless ?erase=true',
    status: 204,
    errors: [400, 401, 403, 404],
  })
  async delete(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: DeleteWidgetQuery): Promise<void> {
    const command = WidgetCommand.create({ workspaceId, widgetId: id });
    if (query.erase) {
      await workspaceWidget(this.db, command);
      await this.eraser.eraseWidgetContacts(workspaceId, id);
    }
    await this.deleteWidget.execute(command);
  }

  @Post(':id/secret/reveal')
  @Audited('secret.reveal')
  @Answers({ summary: 'the widget secret, once after it was created or rotated', status: 200, answer: WidgetSecret, errors: [400, 401, 403, 404, 410] })
  async reveal(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<WidgetSecret> {
    return this.revealSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Where the widget's secrets stand, and how many claims of the last hour still used the previous one while it is live. */
  @Get(':id/secret')
  @Answers({
    summary: 'the current secret version, and the previous one while a staged rotation keeps it verifying',
    status: 200,
    answer: SecretStatus,
    errors: [400, 401, 403, 404],
  })
  async secretStatus(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<SecretStatus> {
    return this.status.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** The next secret, verifying beside the current one until `retire`. */
  @Post(':id/secret/stage')
  @Audited('secret.stage')
  @Answers({
    summary: 'a next secret that verifies beside the current one until retire (this answer is its one reveal)',
    status: 200,
    answer: StagedSecret,
    errors: [400, 401, 403, 404, 409],
  })
  async stage(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<StagedSecret> {
    return this.stageSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Ends the previous secret as `rotate` would: its digests and tokens fail, its live streams end. */
  @Post(':id/secret/retire')
  @Audited('secret.retire')
  @Answers({
    summary: 'ends the previous secret of a staged rotation, in force when this answers',
    status: 200,
    answer: SecretStatus,
    errors: [400, 401, 403, 404, 409],
  })
  async retire(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<SecretStatus> {
    return this.retireSecret.execute(WidgetCommand.create({ workspaceId, widgetId: id }));
  }

  /** Takes effect before it answers: from then on every old digest fails, on every instance. */
  @Post(':id/secret/rotate')
  @Audited('secret.rotate')
  @Answers({
    summary: 'a new secret, in force when this answers (this answer is its one reveal)',
    status: 200,
    answer: WidgetSecret,
    errors: [400, 401, 403, 404],
  })
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

/** What a PATCH changes, as the audit log names it: the identity policy apart, since it decides which claims verify. */
function widgetChanges(body: Record<string, unknown>): AuditAction[] {
  const actions: AuditAction[] = [];
  if ('name' in body || 'allowed_origins' in body || 'sign_in_prompt' in body) actions.push('widget.update');
  if ('identity_policy' in body || 'identity_required' in body) actions.push('widget.policy');
  return actions.length ? actions : ['widget.update'];
}
