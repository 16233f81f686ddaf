/// <reference types="jest" />
import { createWidget, TestWidget } from './fixtures';
import { RunningSystem, startSystem, SystemOptions } from './system';
import { WidgetClient } from './widget-client';

export interface WidgetSuite {
  system: RunningSystem;
  widget: TestWidget;
  /** Calls the widget API as the widget's own page. */
  client: WidgetClient;
}

/** The whole system with one widget, started before a suite's tests and stopped after them. */
export function widgetSuite(options: SystemOptions = {}): WidgetSuite {
  const suite = {} as WidgetSuite;
  beforeAll(async () => {
    suite.system = await startSystem(options);
    suite.widget = await createWidget(suite.system);
    suite.client = new WidgetClient(suite.system.gatewayUrl, suite.widget);
  });
  afterAll(() => suite.system?.stop());
  return suite;
}
