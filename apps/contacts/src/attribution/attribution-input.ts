import { ContactAnonymousData, ContactVerifiedData, VisitorEventFields } from '@inviaro/contracts';

/** One event to attribute: its claim verified (contact.verified, the user is `event.user_id`) or it did not (contact.anonymous). */
export type AttributionInput = { kind: 'verified'; event: ContactVerifiedData } | { kind: 'anonymous'; event: ContactAnonymousData };

/** The fold rule's order of a visitor's events: as the gateway received them, ties broken by message id. */
export function byReceived(a: VisitorEventFields, b: VisitorEventFields): number {
  return Date.parse(a.received_at) - Date.parse(b.received_at) || (a.message_id < b.message_id ? -1 : a.message_id > b.message_id ? 1 : 0);
}

/** The inputs grouped by visitor, each visitor's in the order given. */
export function byVisitor(inputs: readonly AttributionInput[]): Map<string, AttributionInput[]> {
  const grouped = new Map<string, AttributionInput[]>();
  for (const input of inputs) {
    const events = grouped.get(input.event.visitor_id);
    if (events) events.push(input);
    else grouped.set(input.event.visitor_id, [input]);
  }
  return grouped;
}
