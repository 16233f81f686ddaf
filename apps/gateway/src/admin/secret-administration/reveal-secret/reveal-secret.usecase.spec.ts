import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores } from '../secret-stores';
import { WidgetCommand } from '../widget.command';
import { RevealSecret } from './reveal-secret.usecase';

describe('RevealSecret', () => {
  const stores = secretStoresSuite();
  const reveal = (workspaceId: string, widgetId: string) =>
    new RevealSecret(new SecretStores(stores.db, stores.vault, stores.cache)).execute(WidgetCommand.create({ workspaceId, widgetId }));

  it('answers the current secret once; every later call is refused with 410 secret_already_revealed', async () => {
    const widget = await stores.createWidget();
    const first = await reveal(widget.workspace_id, widget.id);
    expect(first.widget_secret).toBe((await stores.vault.current(widget.id))?.secret);
    expect(await httpRefusal(reveal(widget.workspace_id, widget.id))).toEqual({
      status: 410,
      body: { error: { code: 'secret_already_revealed', message: 'this secret was already revealed; rotate it to get a new one' } },
    });
  });

  it('404 widget_not_found for another workspace’s widget, whose one reveal stays unspent', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect((await httpRefusal(reveal(stranger.workspace_id, widget.id))).status).toBe(404);
    expect((await reveal(widget.workspace_id, widget.id)).widget_secret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a command whose widget id is no UUID with 400 invalid_request, before anything is read', async () => {
    const command = async () => WidgetCommand.create({ workspaceId: '7d1c6a0e-4b7e-4d8a-9b1f-2f6a8c3e5d41', widgetId: 'widget-1' });
    expect(await httpRefusal(command())).toEqual({ status: 400, body: { error: { code: 'invalid_request', message: 'widgetId: widgetId must be a UUID' } } });
  });
});
