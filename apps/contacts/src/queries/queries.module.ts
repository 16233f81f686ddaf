import { Module } from '@nestjs/common';
import { InboxQueries } from './inbox-queries';
import { OperatorReplies } from './operator-replies';

/** Request/reply answers for the gateway: history, inbox, replies. */
@Module({ controllers: [InboxQueries, OperatorReplies] })
export class QueriesModule {}
