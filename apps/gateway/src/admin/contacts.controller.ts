import {
  ContactDetail,
  ContactExport,
  Contacts,
  EraseContact,
  EraseContactRequest,
  Erasure,
  ExportContact,
  GetContact,
  ListContacts,
  Reply,
  ReplyStored,
} from '@inviaro/contracts';
import { RequestClient } from '@inviaro/bus';
import { queryChange, queryRows } from '@inviaro/persistence';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { Pool } from 'pg';
import { ApiError } from '../http/api-error';
import { askService } from '../http/ask-service';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { EraseUserQuery, ListContactsQuery, ReplyBody } from './admin.dto';
import { FAILURE_COLUMNS, FailureRow, toFailure } from './verification-failures.controller';
import { AdminApi, Answers } from '../http/documented';

/** How long an erasure may take: it reads every stream's retention through (docs/security.md#erasure). */
const ERASURE_TIMEOUT_MS = 60_000;

/** The inbox: contacts, their conversations, and operator replies (answered by the contacts service); erasure and export of a contact's data. */
@Controller('v1/admin')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class ContactsController {
  constructor(
    private readonly requests: RequestClient,
    private readonly db: Pool,
  ) {}

  @Get('contacts')
  @Answers({ summary: 'contacts, newest activity first (merged ones left out)', status: 200, answer: Contacts, errors: [400, 401] })
  list(@AdminWorkspace() workspaceId: string, @Query() query: ListContactsQuery): Promise<Contacts> {
    return askService(() =>
      this.requests.request(ListContacts, {
        workspace_id: workspaceId,
        verified: query.verified,
        user_id: query.user_id,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
  }

  @Get('contacts/:id')
  @Answers({ summary: 'a contact with its conversations and messages', status: 200, answer: ContactDetail, errors: [400, 401, 404] })
  async get(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ContactDetail> {
    const contact = await askService(() => this.requests.request(GetContact, { workspace_id: workspaceId, contact_id: id }));
    if (!contact) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    return contact;
  }

  /** The reply reaches the visitor's open widget live (message.stored). */
  @Post('conversations/:id/replies')
  @Answers({ summary: 'an operator reply; the visitor’s open widget shows it', status: 201, answer: ReplyStored, errors: [400, 401, 404, 413] })
  @HttpCode(201)
  async reply(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: ReplyBody): Promise<ReplyStored> {
    const stored = await askService(() => this.requests.request(Reply, { workspace_id: workspaceId, conversation_id: id, text: body.text }));
    if (!stored) throw new ApiError(404, 'conversation_not_found', 'no conversation with this id in your workspace');
    return stored;
  }

  /** Right of access: everything held about the contact, with the failure records of its user id. */
  @Get('contacts/:id/export')
  @Answers({ summary: 'everything held about a contact (right of access)', status: 200, answer: ContactExport, errors: [400, 401, 404] })
  async export(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ContactExport> {
    const held = await askService(() => this.requests.request(ExportContact, { workspace_id: workspaceId, contact_id: id }));
    if (!held) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    const failures =
      held.contact.user_id === null
        ? []
        : await queryRows<FailureRow>(
            this.db,
            `SELECT ${FAILURE_COLUMNS} FROM verification_failures WHERE workspace_id = $1 AND claimed_user_id = $2 ORDER BY at DESC, id DESC`,
            [workspaceId, held.contact.user_id],
          );
    return { ...held, failures: failures.map(toFailure), exported_at: new Date().toISOString() };
  }

  /** Right of erasure (docs/security.md#erasure): in force, on every surface and in the event streams, when it answers. */
  @Delete('contacts/:id')
  @Answers({
    summary: 'erase a contact, the anonymous contacts folded into it, their conversations, messages, timeline and its user id’s failure records',
    status: 200,
    answer: Erasure,
    errors: [400, 401, 404],
  })
  @HttpCode(200)
  async erase(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<Erasure> {
    const erased = await this.eraseWith({ workspace_id: workspaceId, contact_id: id });
    if (!erased) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    return erased;
  }

  @Delete('contacts')
  @Answers({
    summary: 'erase a user by its user id, as DELETE /v1/admin/contacts/{id} does (a user never seen erases nothing)',
    status: 200,
    answer: Erasure,
    errors: [400, 401],
  })
  @HttpCode(200)
  async eraseUser(@AdminWorkspace() workspaceId: string, @Query() query: EraseUserQuery): Promise<Erasure> {
    const erased = await this.eraseWith({ workspace_id: workspaceId, user_id: query.user_id });
    if (!erased) throw new Error('an erasure by user id always answers');
    return erased;
  }

  /** The contacts service erases what it holds, and the streams' copies; then the failure records of the user id go. */
  private async eraseWith(request: EraseContactRequest): Promise<Erasure | null> {
    const erased = await askService(() => this.requests.request(EraseContact, request, ERASURE_TIMEOUT_MS));
    if (!erased) return null;
    const failures =
      erased.user_id === null
        ? 0
        : (
            await queryChange(this.db, `DELETE FROM verification_failures WHERE workspace_id = $1 AND claimed_user_id = $2`, [
              request.workspace_id,
              erased.user_id,
            ])
          ).count;
    return { erased: { ...erased.erased, failure_records: failures } };
  }
}
