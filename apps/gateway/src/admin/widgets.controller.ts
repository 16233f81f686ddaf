import { WidgetSecretRotated } from '@inviaro/contracts';
import { EventPublisher } from '@inviaro/jetstream';
import { newWidgetKey, SecretCache, Widget, WidgetSecretVault } from '@inviaro/persistence';
import { Body, Controller, Get, HttpCode, Logger, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiError, unavailable } from '../http/api-error';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { CreateWidgetBody } from './admin.dto';
import { WidgetCreated, WidgetList, WidgetSecret } from '../openapi/answers';
import { AdminApi, Answers } from '../openapi/documented';

@Controller('v1/admin/widgets')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class WidgetsController {
  private readonly logger = new Logger('widgets');

  constructor(
    private readonly db: DataSource,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
    private readonly publisher: EventPublisher,
  ) {}

  /** A widget and its first secret, which the admin then reveals once. */
  @Post()
  @Answers({ summary: 'a widget and its first secret (reveal it once)', status: 201, answer: WidgetCreated, errors: [400, 401, 413] })
  @HttpCode(201)
  async create(@AdminWorkspace() workspaceId: string, @Body() body: CreateWidgetBody) {
    const widget = await this.db.transaction(async (tx) => {
      const created = await tx.save(tx.create(Widget, { workspace_id: workspaceId, key: newWidgetKey(), name: body.name, allowed_origins: body.allowed_origins }));
      await this.vault.create(tx, created.id);
      return created;
    });
    return { id: widget.id, key: widget.key, name: widget.name, allowed_origins: widget.allowed_origins };
  }

  /** Every widget of the workspace, oldest first (a workspace has a handful: no pages). */
  @Get()
  @Answers({ summary: 'every widget of the workspace, oldest first', status: 200, answer: WidgetList, errors: [401] })
  async list(@AdminWorkspace() workspaceId: string) {
    const widgets = await this.db.getRepository(Widget).find({ where: { workspace_id: workspaceId }, order: { created_at: 'ASC', id: 'ASC' } });
    return { widgets: widgets.map((w) => ({ id: w.id, key: w.key, name: w.name, allowed_origins: w.allowed_origins, created_at: w.created_at.toISOString() })) };
  }

  @Post(':id/secret/reveal')
  @Answers({ summary: 'the widget secret, once after it was created or rotated', status: 200, answer: WidgetSecret, errors: [400, 401, 404, 410] })
  @HttpCode(200)
  async reveal(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    await this.widgetOf(workspaceId, id);
    const secret = await this.vault.reveal(id);
    if (secret === null) throw new ApiError(410, 'secret_already_revealed', 'this secret was already revealed; rotate it to get a new one');
    return { widget_secret: secret };
  }

  /** Takes effect before it answers: from then on every old digest fails, on every instance. */
  @Post(':id/secret/rotate')
  @Answers({ summary: 'a new secret, in force when this answers (this answer is its one reveal)', status: 200, answer: WidgetSecret, errors: [400, 401, 404] })
  @HttpCode(200)
  async rotate(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    const widget = await this.widgetOf(workspaceId, id);
    const rotated = await this.vault.rotate(id, (version) =>
      this.cache.invalidate(id, version).catch(() => {
        // Rolls the rotation back: with the cache out of reach, the old secret could outlive it somewhere.
        throw unavailable('rotation_unavailable', 'the secret cache could not be invalidated, so nothing was rotated; try again');
      }),
    );
    try {
      await this.publisher.publish(WidgetSecretRotated, { workspace_id: workspaceId, widget_id: widget.id, secret_version: rotated.version }, { correlationId: widget.id });
    } catch (error) {
      // The rotation has taken effect, and this answer is the new secret's one reveal. Live streams verified
      // under the old secret end all the same: every gateway checks the version marker at delivery (live-updates.ts).
      this.logger.error({ widget_id: widget.id, err: String(error) }, 'widget.secret.rotated could not be published');
    }
    return { widget_secret: rotated.secret };
  }

  private async widgetOf(workspaceId: string, id: string): Promise<Widget> {
    const widget = await this.db.getRepository(Widget).findOneBy({ id, workspace_id: workspaceId });
    if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
    return widget;
  }
}
