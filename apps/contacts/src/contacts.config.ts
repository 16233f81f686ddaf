import { CommonConfig } from '@inviaro/observability';

export class ContactsConfig extends CommonConfig {
  override PORT: number = 8082;
}
