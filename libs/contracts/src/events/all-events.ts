import { ContactAnonymous } from './contact-anonymous.event';
import { ContactErased } from './contact-erased.event';
import { ContactFolded } from './contact-folded.event';
import { ContactVerified } from './contact-verified.event';
import { MessageInbound } from './message-inbound.event';
import { MessageStored } from './message-stored.event';
import { VisitorLoggedOut } from './visitor-logged-out.event';
import { WidgetSecretRotated } from './widget-secret-rotated.event';

/** Every event the system publishes: the stream layout and what `events tail` can show derive from this list. */
export const ALL_EVENTS = [
  MessageInbound,
  ContactVerified,
  ContactAnonymous,
  ContactFolded,
  MessageStored,
  WidgetSecretRotated,
  VisitorLoggedOut,
  ContactErased,
] as const;

export type EventSubject = (typeof ALL_EVENTS)[number]['subject'];
