import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores } from '../secret-stores';
import { WidgetCommand } from '../widget.command';
import { GetSecretStatus } from './get-secret-status.usecase';

describe('GetSecretStatus', () => {
  const stores = secretStoresSuite();
  const statusOf = (workspaceId: string, widgetId: string, previousUses = stores.previousUses) =>
    new GetSecretStatus(new SecretStores(stores.db, stores.vault, stores.cache), previousUses).execute(WidgetCommand.create({ workspaceId, widgetId }));

  it('names the current version; while a staged rotation keeps the previous one live, its claims of the last hour too', async () => {
    const widget = await stores.createWidget();
    expect(await statusOf(widget.workspace_id, widget.id)).toEqual({ secret_version: 1 });
    await stores.vault.stage(widget.id, (change) => stores.cache.invalidate(widget.id, change));
    await stores.previousUses.count(widget.id, 1);
    await stores.previousUses.count(widget.id, 1);
    expect(await statusOf(widget.workspace_id, widget.id)).toEqual({ secret_version: 2, previous_secret: { secret_version: 1, claims_last_hour: 2 } });
  });

  it('with Redis out of reach while the previous secret is live: 503 usage_unavailable', async () => {
    const widget = await stores.createWidget();
    await stores.vault.stage(widget.id, (change) => stores.cache.invalidate(widget.id, change));
    expect(await httpRefusal(statusOf(widget.workspace_id, widget.id, stores.unreachable.previousUses))).toEqual({
      status: 503,
      body: { error: { code: 'usage_unavailable', message: 'the count of claims under the previous secret is unavailable right now; try again' } },
    });
  });

  it('404 widget_not_found for another workspace’s widget', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect(await httpRefusal(statusOf(stranger.workspace_id, widget.id))).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
  });
});
