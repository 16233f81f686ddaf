import { defineEvent } from '../event-contract';
import { VisitorOfWidget } from './visitor-event.fields';

export class VisitorLoggedOutData extends VisitorOfWidget {}

/** gateway → every gateway instance: the visitor's token stopped working, so its live streams end wherever they are open. */
export const VisitorLoggedOut = defineEvent('visitor.logged_out', 1, VisitorLoggedOutData);
