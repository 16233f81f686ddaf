export * from './topology';
export * from './permissions';
export * from './dead-letter-body';
export * from './bus-routing';
export * from './event-publisher';
export * from './request-client';
export * from './handler.decorators';
export * from './bus.module';
