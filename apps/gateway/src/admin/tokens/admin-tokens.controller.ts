import { AdminTokenCreated, AdminTokenList } from '@inviaro/contracts';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, UseGuards } from '@nestjs/common';
import { AdminAuthGuard, AdminWorkspace } from '../admin-auth.guard';
import { CreateTokenBody } from '../admin.dto';
import { Audited } from '../audit/audited';
import { AdminApi, Answers } from '../../http/documented';
import { AdminTokens } from './admin-tokens';

/** The workspace's admin tokens: made, listed and revoked by an admin token (docs/security.md#admin-tokens-and-roles). */
@Controller('v1/admin/tokens')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class AdminTokensController {
  constructor(private readonly tokens: AdminTokens) {}

  @Post()
  @Audited('token.create')
  @Answers({ summary: 'a new admin or support token (shown this once)', status: 201, answer: AdminTokenCreated, errors: [400, 401, 403, 413] })
  async create(@AdminWorkspace() workspaceId: string, @Body() body: CreateTokenBody): Promise<AdminTokenCreated> {
    const { row, token } = await this.tokens.create(workspaceId, body.name, body.role);
    return { id: row.id, name: row.name, role: row.role, token };
  }

  @Get()
  @Answers({ summary: 'the workspace’s admin tokens, oldest first (never the token itself)', status: 200, answer: AdminTokenList, errors: [401, 403] })
  async list(@AdminWorkspace() workspaceId: string): Promise<AdminTokenList> {
    const rows = await this.tokens.list(workspaceId);
    return {
      tokens: rows.map((row) => ({
        id: row.id,
        name: row.name,
        role: row.role,
        created_at: row.created_at.toISOString(),
        last_used_at: row.last_used_at?.toISOString() ?? null,
      })),
    };
  }

  /** In force on every gateway when this answers: each admin call reads its token's row. */
  @Delete(':id')
  @Audited('token.revoke')
  @Answers({ summary: 'revokes the token, in force on every gateway when this answers', status: 204, errors: [400, 401, 403, 404, 409] })
  async revoke(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.tokens.revoke(workspaceId, id);
  }
}
