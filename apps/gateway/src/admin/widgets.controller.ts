import { WidgetSecretRotated } from '@inviaro/contracts';
import { EventPublisher } from '@inviaro/jetstream';
import { firstRow, IdentityPolicy, newWidgetKey, onlyRow, PreviousSecretUses, queryRows, SecretCache, SecretChange, transaction, WidgetSecretVault } from '@inviaro/persistence';
import { Body, Controller, Get, HttpCode, Logger, Param, ParseUUIDPipe, Patch, Post, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError, unavailable } from '../http/api-error';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { CreateWidgetBody, UpdateWidgetBody } from './admin.dto';
import { SecretStatus, StagedSecret, WidgetCreated, WidgetList, WidgetListed, WidgetSecret } from '../openapi/answers';
import { AdminApi, Answers } from '../openapi/documented';

/** A widget's row, as the admin API reads it. */
interface Widget {
  id: string;
  workspace_id: string;
  key: string;
  name: string;
  allowed_origins: string[];
  identity_policy: IdentityPolicy;
  created_at: Date;
}
const WIDGET_COLUMNS = 'id, workspace_id, key, name, allowed_origins, identity_policy, created_at';

@Controller('v1/admin/widgets')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class WidgetsController {
  private readonly logger = new Logger('widgets');

  constructor(
    private readonly db: Pool,
    private readonly vault: WidgetSecretVault,
    private readonly cache: SecretCache,
    private readonly publisher: EventPublisher,
    private readonly previousUses: PreviousSecretUses,
  ) {}

  /** A widget and its first secret, which the admin then reveals once. */
  @Post()
  @Answers({ summary: 'a widget and its first secret (reveal it once)', status: 201, answer: WidgetCreated, errors: [400, 401, 413] })
  @HttpCode(201)
  async create(@AdminWorkspace() workspaceId: string, @Body() body: CreateWidgetBody) {
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
  async list(@AdminWorkspace() workspaceId: string) {
    const widgets = await queryRows<Widget>(this.db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE workspace_id = $1 ORDER BY created_at, id`, [workspaceId]);
    return { widgets: widgets.map(listed) };
  }

  /** The identity policy (docs/identity-jwt.md): in force on every verifier when this answers. */
  @Patch(':id')
  @Answers({ summary: 'changes the widget’s identity policy (user_hash, jwt or either), in force when this answers', status: 200, answer: WidgetListed, errors: [400, 401, 404, 413] })
  async update(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateWidgetBody) {
    const widget = await this.widgetOf(workspaceId, id);
    await this.vault.setPolicy(id, body.identity_policy, (change) => this.invalidate(id, change, 'policy_unavailable', 'changed'));
    return listed({ ...widget, identity_policy: body.identity_policy });
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

  /** Where the widget's secrets stand, and how many claims of the last hour still used the previous one while it is live. */
  @Get(':id/secret')
  @Answers({ summary: 'the current secret version, and the previous one while a staged rotation keeps it verifying', status: 200, answer: SecretStatus, errors: [400, 401, 404] })
  async secretStatus(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    await this.widgetOf(workspaceId, id);
    return this.statusOf(id);
  }

  /** The next secret, verifying beside the current one until `retire`. */
  @Post(':id/secret/stage')
  @Answers({ summary: 'a next secret that verifies beside the current one until retire (this answer is its one reveal)', status: 200, answer: StagedSecret, errors: [400, 401, 404, 409] })
  @HttpCode(200)
  async stage(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    await this.widgetOf(workspaceId, id);
    const staged = await this.vault.stage(id, (change) => this.invalidate(id, change, 'rotation_unavailable', 'staged'));
    if (!staged) throw new ApiError(409, 'rotation_staged', 'a staged secret already awaits its retire call; retire the previous secret first');
    return { widget_secret: staged.secret, secret_version: staged.version };
  }

  /** Ends the previous secret as `rotate` would: its digests and tokens fail, its live streams end. */
  @Post(':id/secret/retire')
  @Answers({ summary: 'ends the previous secret of a staged rotation, in force when this answers', status: 200, answer: SecretStatus, errors: [400, 401, 404, 409] })
  @HttpCode(200)
  async retire(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    const widget = await this.widgetOf(workspaceId, id);
    const retired = await this.vault.retire(id, (change) => this.invalidate(id, change, 'rotation_unavailable', 'retired'));
    if (!retired) throw new ApiError(409, 'nothing_to_retire', 'no previous secret is live; stage a secret first');
    await this.announce(widget, retired.version);
    return this.statusOf(id);
  }

  /** Takes effect before it answers: from then on every old digest fails, on every instance. */
  @Post(':id/secret/rotate')
  @Answers({ summary: 'a new secret, in force when this answers (this answer is its one reveal)', status: 200, answer: WidgetSecret, errors: [400, 401, 404] })
  @HttpCode(200)
  async rotate(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string) {
    const widget = await this.widgetOf(workspaceId, id);
    const rotated = await this.vault.rotate(id, (change) => this.invalidate(id, change, 'rotation_unavailable', 'rotated'));
    await this.announce(widget, rotated.version);
    return { widget_secret: rotated.secret };
  }

  /** Told to the cache before the change commits; a failure rolls the change back: with the cache out of reach, the old state could outlive it somewhere. */
  private async invalidate(id: string, change: SecretChange, code: string, done: string): Promise<void> {
    await this.cache.invalidate(id, change).catch(() => {
      throw unavailable(code, `the secret cache could not be invalidated, so nothing was ${done}; try again`);
    });
  }

  /** Ends, on every gateway, the live streams verified under a version older than `liveFrom`. */
  private async announce(widget: Widget, liveFrom: number): Promise<void> {
    try {
      await this.publisher.publish(WidgetSecretRotated, { workspace_id: widget.workspace_id, widget_id: widget.id, secret_version: liveFrom }, { correlationId: widget.id });
    } catch (error) {
      // The change has taken effect (a rotate's answer is the new secret's one reveal). Live streams verified
      // under an older secret end all the same: every gateway checks the version marker at delivery (live-updates.ts).
      this.logger.error({ widget_id: widget.id, err: String(error) }, 'widget.secret.rotated could not be published');
    }
  }

  private async statusOf(id: string) {
    const { version, previousLive } = await this.vault.status(id);
    if (!previousLive) return { secret_version: version };
    const claims = await this.previousUses.lastHour(id, version - 1).catch(() => {
      throw unavailable('usage_unavailable', 'the count of claims under the previous secret is unavailable right now; try again');
    });
    return { secret_version: version, previous_secret: { secret_version: version - 1, claims_last_hour: claims } };
  }

  private async widgetOf(workspaceId: string, id: string): Promise<Widget> {
    const widget = await firstRow<Widget>(this.db, `SELECT ${WIDGET_COLUMNS} FROM widgets WHERE id = $1 AND workspace_id = $2`, [id, workspaceId]);
    if (!widget) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
    return widget;
  }
}

const listed = (w: Widget) => ({ id: w.id, key: w.key, name: w.name, allowed_origins: w.allowed_origins, identity_policy: w.identity_policy, created_at: w.created_at.toISOString() });
