import {
  ContactDetail,
  Contacts,
  ContactsHistory,
  ContactSummary,
  ConversationMessages,
  ConversationMessagesRequest,
  GetContact,
  GetContactRequest,
  History,
  HistoryRequest,
  ListContacts,
  ListContactsRequest,
  MessageLanding,
  MessageLandings,
  MessageLandingsRequest,
  ListConversationMessages,
  StoredMessage,
} from '@inviaro/contracts';
import { OnRequest } from '@inviaro/bus';
import { RequestRefused } from '@inviaro/jetstream';
import { decodeCursor, firstRow, keysetPage, KeysetPosition, queryRows, Sql } from '@inviaro/persistence';
import { Controller } from '@nestjs/common';
import { Pool } from 'pg';

interface MessageRow {
  id: string;
  author: StoredMessage['author'];
  text: string;
  created_at: Date;
  at_exact: string;
}

/** A contact as PostgreSQL answers it: the summary's fields, with times as dates and the creation time exact (for cursors). */
export type ContactRow = Omit<ContactSummary, 'created_at' | 'last_seen_at'> & { created_at: Date; last_seen_at: Date; at_exact: string };

export const CONTACT_COLUMNS = 'id, user_id, is_verified, email, email_verified, name, name_verified, created_at, last_seen_at, created_at::text AS at_exact';

export function toMessage(row: MessageRow): StoredMessage {
  return { message_id: row.id, author: row.author, text: row.text, created_at: row.created_at.toISOString() };
}

export function toContact(row: ContactRow): ContactSummary {
  return {
    id: row.id,
    user_id: row.user_id,
    is_verified: row.is_verified,
    email: row.email,
    email_verified: row.email_verified,
    name: row.name,
    name_verified: row.name_verified,
    created_at: row.created_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
  };
}

/** A contact by id, or undefined outside the workspace. */
export function contactInWorkspace(db: Sql, request: GetContactRequest): Promise<ContactRow | undefined> {
  return firstRow<ContactRow>(db, `SELECT ${CONTACT_COLUMNS} FROM contacts WHERE id = $1 AND workspace_id = $2`, [request.contact_id, request.workspace_id]);
}

/** The messages of these conversations, oldest first, each with its conversation. */
export function messagesOf(db: Sql, conversationIds: string[]): Promise<Array<MessageRow & { conversation_id: string }>> {
  return queryRows<MessageRow & { conversation_id: string }>(
    db,
    `SELECT conversation_id, id, author, text, created_at, created_at::text AS at_exact FROM messages WHERE conversation_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [conversationIds],
  );
}

/** Where a page starts; a cursor this API never gave is the caller's mistake, named by its field. */
function position(cursor: string | undefined, field: 'before' | 'cursor'): KeysetPosition | null {
  if (!cursor) return null;
  const decoded = decodeCursor(cursor);
  if (!decoded) throw new RequestRefused(`${field}: is not a cursor this API gave`);
  return decoded;
}

type ThreadMessageRow = MessageRow & { conversation_id: string };

interface ThreadPages {
  before: KeysetPosition | null;
  limit: number;
  /** One page across all the threads (a visitor's history), not a page of each. */
  merged: boolean;
}

/**
 * The newest `limit` + 1 messages of each thread before a position (null: the newest), newest first
 * within a thread, and, when `merged`, the newest `limit` + 1 of them all. One statement, a branch per
 * thread with its id as a constant: so the planner sees a long thread as long (its id is among the
 * column's most common values) and reads one page of messages_conversation_page in order; with the
 * id from a join it would assume an average thread, fetch all of a long one and sort it.
 */
async function readThreadPages(db: Pool, threadIds: string[], { before, limit, merged }: ThreadPages): Promise<ThreadMessageRow[]> {
  if (threadIds.length === 0) return [];
  const params: unknown[] = [before?.at ?? null, before?.id ?? null, limit + 1, ...threadIds];
  const branches = threadIds.map((_, i) => {
    const thread = `$${i + 4}::uuid`;
    return `(SELECT ${thread} AS conversation_id, m.id, m.author, m.text, m.created_at, m.created_at::text AS at_exact FROM messages m
      WHERE m.conversation_id = ${thread} AND ($1::timestamptz IS NULL OR (m.created_at, m.id) < ($1, $2::uuid))
      ORDER BY m.created_at DESC, m.id DESC LIMIT $3)`;
  });
  const pages = branches.join(' UNION ALL ');
  return queryRows<ThreadMessageRow>(db, merged ? `SELECT * FROM (${pages}) page ORDER BY created_at DESC, id DESC LIMIT $3` : pages, params);
}

/** A page of a thread from its rows fetched newest first with one extra: oldest first, and the cursor for older ones. */
function messagePage(newestFirst: MessageRow[], limit: number): ConversationMessages {
  const { rows, next } = keysetPage(newestFirst, limit);
  return { messages: rows.reverse().map(toMessage), next_cursor: next };
}

/** The contacts service's answers to the gateway's reads: a visitor's history and the inbox. */
@Controller()
export class InboxQueries {
  constructor(private readonly db: Pool) {}

  /**
   * What a visitor may read now (docs/api.md §1 History): its own live anonymous contact's
   * messages, and, only when the gateway vouches that the claim verifies now, the verified user's
   * whole history from every device.
   */
  @OnRequest(ContactsHistory)
  async history(request: HistoryRequest): Promise<History> {
    const before = position(request.before, 'before');
    // The threads first (a few index lookups), then a page of each: an OR over contacts in the same
    // statement as the messages would hide the threads from the planner, which then reads and sorts all of them.
    const threads = await queryRows<{ id: string }>(
      this.db,
      `SELECT v.id FROM contacts c JOIN conversations v ON v.contact_id = c.id
       WHERE c.workspace_id = $1 AND ((c.visitor_id = $2 AND c.merged_into_id IS NULL) OR ($3::text IS NOT NULL AND c.user_id = $3))`,
      [request.workspace_id, request.visitor_id, request.user_id ?? null],
    );
    const rows = await readThreadPages(
      this.db,
      threads.map((thread) => thread.id),
      { before, limit: request.limit, merged: true },
    );
    return { contact: { is_verified: request.user_id !== undefined }, ...messagePage(rows, request.limit) };
  }

  /** The inbox: live contacts (retired ones are folded into others), newest first. */
  @OnRequest(ListContacts)
  async list(request: ListContactsRequest): Promise<Contacts> {
    const after = position(request.cursor, 'cursor');
    const rows = await queryRows<ContactRow>(
      this.db,
      `SELECT ${CONTACT_COLUMNS} FROM contacts
       WHERE workspace_id = $1 AND merged_into_id IS NULL
         AND ($2::boolean IS NULL OR is_verified = $2) AND ($3::text IS NULL OR user_id = $3) AND ($7::text IS NULL OR lower(email) = lower($7))
         AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $6`,
      [request.workspace_id, request.verified ?? null, request.user_id ?? null, after?.at ?? null, after?.id ?? null, request.limit + 1, request.email ?? null],
    );
    const { rows: kept, next } = keysetPage(rows, request.limit);
    return { contacts: kept.map(toContact), next_cursor: next };
  }

  /** A contact and each of its threads with the newest page of its messages (older ones: conversationMessages). */
  @OnRequest(GetContact)
  async get(request: GetContactRequest): Promise<ContactDetail | null> {
    const contact = await contactInWorkspace(this.db, request);
    if (!contact) return null;
    const conversations = await queryRows<{ id: string; widget_id: string; visitor_id: string; created_at: Date }>(
      this.db,
      `SELECT id, widget_id, visitor_id, created_at FROM conversations WHERE contact_id = $1 ORDER BY created_at`,
      [contact.id],
    );
    const messages = await readThreadPages(
      this.db,
      conversations.map((conversation) => conversation.id),
      { before: null, limit: request.limit, merged: false },
    );
    const byConversation = new Map<string, ThreadMessageRow[]>();
    for (const message of messages) {
      const rows = byConversation.get(message.conversation_id);
      if (rows) rows.push(message);
      else byConversation.set(message.conversation_id, [message]);
    }
    return {
      ...toContact(contact),
      conversations: conversations.map((conversation) => ({
        id: conversation.id,
        widget_id: conversation.widget_id,
        visitor_id: conversation.visitor_id,
        created_at: conversation.created_at.toISOString(),
        ...messagePage(byConversation.get(conversation.id) ?? [], request.limit),
      })),
    };
  }

  /** Where the messages of failed claims are now, for the support trail: a fold moves a thread, so this is read, never recorded. */
  @OnRequest(MessageLandings)
  async landings(request: MessageLandingsRequest): Promise<{ landings: MessageLanding[] }> {
    const landings = await queryRows<MessageLanding>(
      this.db,
      `SELECT m.id AS message_id, v.contact_id, v.id AS conversation_id
       FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id
       WHERE m.id = ANY($1::uuid[]) AND c.workspace_id = $2`,
      [request.message_ids, request.workspace_id],
    );
    return { landings };
  }

  /** A page of one thread's messages before the cursor; null when the thread is not in the workspace. */
  @OnRequest(ListConversationMessages)
  async conversationMessages(request: ConversationMessagesRequest): Promise<ConversationMessages | null> {
    const before = position(request.cursor, 'cursor');
    const thread = await firstRow<{ id: string }>(
      this.db,
      `SELECT v.id FROM conversations v JOIN contacts c ON c.id = v.contact_id WHERE v.id = $1 AND c.workspace_id = $2`,
      [request.conversation_id, request.workspace_id],
    );
    if (!thread) return null;
    const rows = await readThreadPages(this.db, [thread.id], { before, limit: request.limit, merged: false });
    return messagePage(rows, request.limit);
  }
}
