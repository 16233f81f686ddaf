import { Module } from '@nestjs/common';
import { ContactErasure } from './contact-erasure';

/** Erasure and export of a contact's data (the right of erasure and the right of access). */
@Module({ controllers: [ContactErasure] })
export class ErasureModule {}
