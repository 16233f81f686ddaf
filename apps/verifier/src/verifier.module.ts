import { Module } from '@nestjs/common';
import { InboundHandler } from './inbound.handler';

@Module({ controllers: [InboundHandler] })
export class VerifierModule {}
