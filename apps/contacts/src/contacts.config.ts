import { CommonConfig } from '@inviaro/observability';

export class ContactsConfig extends CommonConfig {}
