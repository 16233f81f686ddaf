// The contracts' decorators read type metadata when they load: the polyfill must be there first, whoever imports them.
import 'reflect-metadata';
export * from './event-contract';
export * from './event-id';
export * from './text-rule';
export * from './claim-shape';
export * from './user-key';
export * from './events/visitor-event.fields';
export * from './events/message-inbound.event';
export * from './events/contact-verified.event';
export * from './events/contact-anonymous.event';
export * from './events/contact-folded.event';
export * from './events/message-stored.event';
export * from './events/widget-secret-rotated.event';
export * from './events/visitor-logged-out.event';
export * from './events/all-events';
export * from './requests/request-contract';
export * from './requests/claim-check.request';
export * from './requests/contacts.requests';
