import { Module } from '@nestjs/common';
import { AttributionHandler } from './attribution.handler';
import { ConversationStore } from './conversation.store';

@Module({ controllers: [AttributionHandler], providers: [ConversationStore] })
export class ContactsModule {}
