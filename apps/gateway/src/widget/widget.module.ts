import { Module } from '@nestjs/common';
import { WidgetAccess } from './widget-access';
import { LiveUpdates, LiveUpdatesHandler } from '../live/live-updates';
import { WidgetScriptController } from '../widget-script/widget-script.controller';
import { WidgetController } from './widget.controller';

/** The public API that the widget script calls from customers' pages. */
@Module({
  controllers: [WidgetController, WidgetScriptController, LiveUpdatesHandler],
  providers: [WidgetAccess, LiveUpdates],
})
export class WidgetModule {}
