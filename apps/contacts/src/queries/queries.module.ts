import { Module } from '@nestjs/common';
import { InboxQueries } from './inbox-queries';

/** Request/reply answers for the gateway: history, inbox, replies. */
@Module({ controllers: [InboxQueries] })
export class QueriesModule {}
