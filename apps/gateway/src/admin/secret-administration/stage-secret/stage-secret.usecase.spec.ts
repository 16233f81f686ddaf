import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores } from '../secret-stores';
import { WidgetCommand } from '../widget.command';
import { StageSecret } from './stage-secret.usecase';

describe('StageSecret', () => {
  const stores = secretStoresSuite();
  const stage = (widgetId: string, workspaceId: string, cache = stores.cache) =>
    new StageSecret(new SecretStores(stores.db, stores.vault, cache)).execute(WidgetCommand.create({ workspaceId, widgetId }));

  it('adds the next secret beside the current one, both verifying, and marks the cache with the oldest live version', async () => {
    const widget = await stores.createWidget();
    const staged = await stage(widget.id, widget.workspace_id);
    expect(staged.secret_version).toBe(2);
    expect(await stores.vault.current(widget.id)).toMatchObject({ version: 2, secret: staged.widget_secret, previousLive: true });
    expect(await stores.cache.marks([widget.id])).toEqual([{ liveFrom: 1 }]);
  });

  it('409 rotation_staged while a staged secret awaits its retire, and the staged one stays', async () => {
    const widget = await stores.createWidget();
    const staged = await stage(widget.id, widget.workspace_id);
    expect(await httpRefusal(stage(widget.id, widget.workspace_id))).toEqual({
      status: 409,
      body: { error: { code: 'rotation_staged', message: 'a staged secret already awaits its retire call; retire the previous secret first' } },
    });
    expect(await stores.vault.current(widget.id)).toMatchObject({ version: 2, secret: staged.widget_secret });
  });

  it('with Redis out of reach: 503 rotation_unavailable, nothing staged', async () => {
    const widget = await stores.createWidget();
    const refusal = await httpRefusal(stage(widget.id, widget.workspace_id, stores.unreachable.cache));
    expect(refusal).toMatchObject({ status: 503, body: { error: { code: 'rotation_unavailable' } } });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 1, previousLive: false });
  });

  it('404 widget_not_found for another workspace’s widget', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect(await httpRefusal(stage(widget.id, stranger.workspace_id))).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 1, previousLive: false });
  });
});
