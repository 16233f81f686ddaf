import { IDENTITY_POLICIES, IdentityPolicy } from '@inviaro/contracts';
import { firstRow, transaction } from '@inviaro/persistence';
import { Injectable } from '@nestjs/common';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { ApiError } from '../../http/api-error';
import { SecretStores, SetIdentityPolicy, SetIdentityPolicyCommand, WidgetCommand } from '../secret-administration';
import { Widget, WIDGET_COLUMNS } from '../widget-row';

/** The fields of PATCH /v1/admin/widgets/{id} (UpdateWidgetBody has their rules); one left out keeps its value. */
export class UpdateWidgetCommand extends WidgetCommand {
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsArray()
  allowed_origins?: string[];

  @IsOptional()
  @IsIn(IDENTITY_POLICIES)
  identity_policy?: IdentityPolicy;

  @IsOptional()
  @IsBoolean()
  identity_required?: boolean;

  @IsOptional()
  @IsString()
  sign_in_prompt?: string;
}

/**
 * Changes a widget's settings. The name, origins and enforce mode (identity_required, sign_in_prompt:
 * docs/identity-required.md) are a row of `widgets`, which every gateway reads on each widget call
 * (widget-access.ts), never cached: a removed origin is refused, and enforce mode in force, everywhere once this answers. New
 * origins are marked in Redis while the row is locked, before the commit, so live streams from a removed
 * origin end (live-updates.ts). The identity policy goes through SetIdentityPolicy, which tells the
 * verifiers' cache first.
 */
@Injectable()
export class UpdateWidget {
  constructor(
    private readonly stores: SecretStores,
    private readonly setIdentityPolicy: SetIdentityPolicy,
  ) {}

  async execute(command: UpdateWidgetCommand): Promise<Widget> {
    const { workspaceId, widgetId, name, allowed_origins, identity_policy, identity_required, sign_in_prompt } = command;
    const rowFields = [name, allowed_origins, identity_required, sign_in_prompt];
    if (identity_policy === undefined && rowFields.every((field) => field === undefined)) {
      throw new ApiError(
        400,
        'invalid_request',
        'name, allowed_origins, identity_policy, identity_required or sign_in_prompt: give at least one field to change',
      );
    }
    let widget = await this.stores.widget(command);
    if (rowFields.some((field) => field !== undefined)) {
      widget = await transaction(this.stores.db, async (tx) => {
        const updated = await firstRow<Widget>(
          tx,
          `UPDATE widgets SET name = COALESCE($3, name), allowed_origins = COALESCE($4, allowed_origins),
             identity_required = COALESCE($5, identity_required), sign_in_prompt = COALESCE($6, sign_in_prompt)
           WHERE id = $1 AND workspace_id = $2 AND deleted_at IS NULL RETURNING ${WIDGET_COLUMNS}`,
          [widgetId, workspaceId, ...rowFields.map((field) => field ?? null)],
        );
        if (!updated) throw new ApiError(404, 'widget_not_found', 'no widget with this id in your workspace');
        if (allowed_origins !== undefined) await this.stores.originsFirst(widgetId, updated.allowed_origins, 'update_unavailable', 'changed');
        return updated;
      });
    }
    if (identity_policy !== undefined) {
      widget = {
        ...widget,
        ...(await this.setIdentityPolicy.execute(SetIdentityPolicyCommand.create({ workspaceId, widgetId, identityPolicy: identity_policy }))),
      };
    }
    return widget;
  }
}
