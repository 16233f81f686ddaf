import { ErasedCounts, EraseContact, EraseContactRequest, Erasure, WidgetContacts } from '@inviaro/contracts';
import { RequestClient } from '@inviaro/bus';
import { Injectable } from '@nestjs/common';
import { askService } from '../http/ask-service';
import { FailureRecords } from './failure-records';

/** How long an erasure may take: it reads every stream's retention through (docs/security.md#erasure). */
const ERASURE_TIMEOUT_MS = 60_000;

/** The right of erasure (docs/security.md#erasure), for a contact, a user id, or every contact of a widget. */
@Injectable()
export class ContactEraser {
  constructor(
    private readonly requests: RequestClient,
    private readonly failures: FailureRecords,
  ) {}

  /** The contacts service erases what it holds, and the streams' copies; then the failure records of the user id go. Null: no such contact. */
  async erase(request: EraseContactRequest): Promise<Erasure | null> {
    const erased = await askService(() => this.requests.request(EraseContact, request, ERASURE_TIMEOUT_MS));
    if (!erased) return null;
    const failures = erased.user_id === null ? 0 : await this.failures.eraseUser(request.workspace_id, erased.user_id);
    return { erased: { ...erased.erased, failure_records: failures } };
  }

  /** Every contact with a conversation on the widget, each erased as `erase` does (a verified user's other widgets' conversations too): the counts summed. */
  async eraseWidgetContacts(workspaceId: string, widgetId: string): Promise<ErasedCounts> {
    const { contact_ids } = await askService(() => this.requests.request(WidgetContacts, { workspace_id: workspaceId, widget_id: widgetId }));
    const total: ErasedCounts = { contacts: 0, conversations: 0, messages: 0, timeline_events: 0, failure_records: 0, stream_events: 0 };
    for (const contactId of contact_ids) {
      const erasure = await this.erase({ workspace_id: workspaceId, contact_id: contactId });
      // A contact erased meanwhile (by another call) is already gone.
      for (const [count, value] of Object.entries(erasure?.erased ?? {})) total[count as keyof ErasedCounts] += value;
    }
    return total;
  }
}
