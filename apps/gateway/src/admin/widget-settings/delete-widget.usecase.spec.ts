import { queryRows } from '@inviaro/persistence';
import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores, WidgetCommand } from '../secret-administration';
import { DeleteWidget } from './delete-widget.usecase';

describe('DeleteWidget', () => {
  const stores = secretStoresSuite();
  const deleteWidget = (workspaceId: string, widgetId: string, cache = stores.cache) =>
    new DeleteWidget(new SecretStores(stores.db, stores.vault, cache)).execute(WidgetCommand.create({ workspaceId, widgetId }));

  it('deletes the secrets, drops the cached one and refuses its refill, marks no origin allowed; the row stays, marked', async () => {
    const widget = await stores.createWidget();
    const before = (await stores.vault.current(widget.id))!;
    await stores.cache.fill(widget.id, before);
    expect(await stores.cache.get(widget.id)).toBeDefined();

    await deleteWidget(widget.workspace_id, widget.id);
    expect(await stores.vault.current(widget.id)).toBeNull();
    expect(await stores.cache.get(widget.id)).toBeUndefined();
    // A verifier that read the secret just before the delete cannot put it back.
    await stores.cache.fill(widget.id, before);
    expect(await stores.cache.get(widget.id)).toBeUndefined();
    expect(await stores.cache.marks([widget.id])).toEqual([{ liveFrom: 2, origins: [] }]);
    expect(await queryRows(stores.db, 'SELECT deleted_at IS NOT NULL AS deleted FROM widgets WHERE id = $1', [widget.id])).toEqual([{ deleted: true }]);
    expect(await httpRefusal(deleteWidget(widget.workspace_id, widget.id))).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
  });

  it('with Redis out of reach: 503 deletion_unavailable, the widget and its secret unchanged', async () => {
    const widget = await stores.createWidget();
    expect(await httpRefusal(deleteWidget(widget.workspace_id, widget.id, stores.unreachable.cache))).toEqual({
      status: 503,
      body: { error: { code: 'deletion_unavailable', message: 'the secret cache could not be invalidated, so nothing was deleted; try again' } },
    });
    expect(await stores.vault.current(widget.id)).toMatchObject({ version: 1 });
  });

  it('404 widget_not_found for another workspace’s widget, which stays', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect(await httpRefusal(deleteWidget(stranger.workspace_id, widget.id))).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
    expect(await stores.vault.current(widget.id)).toMatchObject({ version: 1 });
  });
});
