import {
  ContactExport,
  ContactWithFailedClaims,
  Contacts,
  ConversationMessages,
  Erasure,
  ExportContact,
  GetContact,
  ListContacts,
  ListConversationMessages,
  Reply,
  ReplyStored,
} from '@inviaro/contracts';
import { RequestClient } from '@inviaro/bus';
import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiError } from '../http/api-error';
import { askService } from '../http/ask-service';
import { AdminAuthGuard, AdminWorkspace } from './admin-auth.guard';
import { OpenToSupport } from './admin-roles';
import { EraseUserQuery, LimitQuery, ListContactsQuery, PageQuery, ReplyBody } from './admin.dto';
import { AdminApi, Answers } from '../http/documented';
import { answerOf, FailureRecords } from './failure-records';
import { Audited } from './audit/audited';
import { ContactEraser } from './contact-eraser';

/** The most failed claims a contact's detail lists (newest first): the whole trail is `GET /v1/admin/verification-failures`. */
const FAILED_CLAIMS_SHOWN = 100;

/** The inbox: contacts, their conversations, and operator replies (answered by the contacts service); erasure and export of a contact's data. */
@Controller('v1/admin')
@AdminApi()
@UseGuards(AdminAuthGuard)
export class ContactsController {
  constructor(
    private readonly requests: RequestClient,
    private readonly failures: FailureRecords,
    private readonly eraser: ContactEraser,
  ) {}

  @Get('contacts')
  @OpenToSupport()
  @Answers({ summary: 'contacts, newest activity first (merged ones left out)', status: 200, answer: Contacts, errors: [400, 401] })
  list(@AdminWorkspace() workspaceId: string, @Query() query: ListContactsQuery): Promise<Contacts> {
    return askService(() =>
      this.requests.request(ListContacts, {
        workspace_id: workspaceId,
        verified: query.verified,
        user_id: query.user_id,
        email: query.email,
        cursor: query.cursor,
        limit: query.limit,
      }),
    );
  }

  @Get('contacts/:id')
  @OpenToSupport()
  @Answers({
    summary: 'a contact with its conversations, each with its newest `limit` messages, and its visitors’ failed identity claims',
    status: 200,
    answer: ContactWithFailedClaims,
    errors: [400, 401, 404],
  })
  async get(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: LimitQuery): Promise<ContactWithFailedClaims> {
    const contact = await askService(() => this.requests.request(GetContact, { workspace_id: workspaceId, contact_id: id, limit: query.limit }));
    if (!contact) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    const visitorIds = [...new Set(contact.conversations.map((conversation) => conversation.visitor_id))];
    const failed = visitorIds.length ? await this.failures.list(workspaceId, { visitorIds, after: null, limit: FAILED_CLAIMS_SHOWN }) : [];
    return { ...contact, failed_claims: failed.map(answerOf) };
  }

  /** Older messages of a conversation than its page in the contact's detail. */
  @Get('conversations/:id/messages')
  @OpenToSupport()
  @Answers({ summary: 'a page of a conversation’s messages, going back in time', status: 200, answer: ConversationMessages, errors: [400, 401, 404] })
  async messages(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Query() query: PageQuery): Promise<ConversationMessages> {
    const page = await askService(() =>
      this.requests.request(ListConversationMessages, { workspace_id: workspaceId, conversation_id: id, cursor: query.cursor, limit: query.limit }),
    );
    if (!page) throw new ApiError(404, 'conversation_not_found', 'no conversation with this id in your workspace');
    return page;
  }

  /** The reply reaches the visitor's open widget live (message.stored). */
  @Post('conversations/:id/replies')
  @OpenToSupport()
  @Answers({ summary: 'an operator reply; the visitor’s open widget shows it', status: 201, answer: ReplyStored, errors: [400, 401, 404, 413] })
  async reply(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string, @Body() body: ReplyBody): Promise<ReplyStored> {
    const stored = await askService(() => this.requests.request(Reply, { workspace_id: workspaceId, conversation_id: id, text: body.text }));
    if (!stored) throw new ApiError(404, 'conversation_not_found', 'no conversation with this id in your workspace');
    return stored;
  }

  /** Right of access: everything held about the contact, with the failure records of its user id. */
  @Get('contacts/:id/export')
  @Audited('contact.export')
  @Answers({ summary: 'everything held about a contact (right of access)', status: 200, answer: ContactExport, errors: [400, 401, 403, 404] })
  async export(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<ContactExport> {
    const held = await askService(() => this.requests.request(ExportContact, { workspace_id: workspaceId, contact_id: id }));
    if (!held) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    const failures = held.contact.user_id === null ? [] : await this.failures.ofUser(workspaceId, held.contact.user_id);
    return { ...held, failures, exported_at: new Date().toISOString() };
  }

  /** Right of erasure (docs/security.md#erasure): in force, on every surface and in the event streams, when it answers. */
  @Delete('contacts/:id')
  @Audited('contact.erase')
  @Answers({
    summary: 'erase a contact, the anonymous contacts folded into it, their conversations, messages, timeline and its user id’s failure records',
    status: 200,
    answer: Erasure,
    errors: [400, 401, 403, 404],
  })
  async erase(@AdminWorkspace() workspaceId: string, @Param('id', ParseUUIDPipe) id: string): Promise<Erasure> {
    const erased = await this.eraser.erase({ workspace_id: workspaceId, contact_id: id });
    if (!erased) throw new ApiError(404, 'contact_not_found', 'no contact with this id in your workspace');
    return erased;
  }

  @Delete('contacts')
  // The audit entry names no target: the log keeps that an erasure by user id happened, not whom it erased.
  @Audited('contact.erase')
  @Answers({
    summary: 'erase a user by its user id, as DELETE /v1/admin/contacts/{id} does (a user never seen erases nothing)',
    status: 200,
    answer: Erasure,
    errors: [400, 401, 403],
  })
  async eraseUser(@AdminWorkspace() workspaceId: string, @Query() query: EraseUserQuery): Promise<Erasure> {
    const erased = await this.eraser.erase({ workspace_id: workspaceId, user_id: query.user_id });
    if (!erased) throw new Error('an erasure by user id always answers');
    return erased;
  }
}
