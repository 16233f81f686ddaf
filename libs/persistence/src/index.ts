export * from './data-source';
export * from './entities/workspace.entity';
export * from './entities/widget.entity';
export * from './entities/visitor.entity';
export * from './entities/contact.entity';
export * from './entities/conversation.entity';
export * from './entities/message.entity';
