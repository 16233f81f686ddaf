import { Visitor, Widget } from '@inviaro/persistence';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WidgetAccess } from './widget-access';
import { WidgetController } from './widget.controller';

/** The public API that the widget script calls from customers' pages. */
@Module({
  imports: [TypeOrmModule.forFeature([Widget, Visitor])],
  controllers: [WidgetController],
  providers: [WidgetAccess],
})
export class WidgetModule {}
