import { httpRefusal, recordingPublisher, secretStoresSuite } from '@inviaro/test-harness';
import { GetSecretStatus } from '../get-secret-status/get-secret-status.usecase';
import { RotationAnnouncement } from '../rotation-announcement';
import { WidgetCommand } from '../widget.command';
import { RetireSecret } from './retire-secret.usecase';

describe('RetireSecret', () => {
  const stores = secretStoresSuite();
  const retirement = (widgetId: string, cache = stores.cache) => {
    // At the publish: what PostgreSQL holds (committed) and what the cache marks.
    const recorded = recordingPublisher(async () => ({ status: await stores.vault.status(widgetId), marks: await stores.cache.marks([widgetId]) }));
    const status = new GetSecretStatus(stores.db, stores.vault, stores.previousUses);
    return { ...recorded, useCase: new RetireSecret(stores.db, stores.vault, cache, new RotationAnnouncement(recorded.publisher), status) };
  };
  const stagedWidget = async () => {
    const widget = await stores.createWidget();
    await stores.vault.stage(widget.id, (change) => stores.cache.invalidate(widget.id, change));
    return widget;
  };

  it('ends the previous secret in the vault, marks the cache before the commit, then announces; answers the status', async () => {
    const widget = await stagedWidget();
    const { useCase, published } = retirement(widget.id);
    expect(await useCase.execute(WidgetCommand.create({ workspaceId: widget.workspace_id, widgetId: widget.id }))).toEqual({ secret_version: 2 });
    expect(published).toEqual([
      {
        subject: 'widget.secret.rotated',
        data: { workspace_id: widget.workspace_id, widget_id: widget.id, secret_version: 2 },
        seen: { status: { version: 2, previousLive: false }, marks: [{ liveFrom: 2 }] },
      },
    ]);
  });

  it('409 nothing_to_retire where no previous secret is live, and announces nothing', async () => {
    const widget = await stores.createWidget();
    const { useCase, published } = retirement(widget.id);
    expect(await httpRefusal(useCase.execute(WidgetCommand.create({ workspaceId: widget.workspace_id, widgetId: widget.id })))).toEqual({
      status: 409,
      body: { error: { code: 'nothing_to_retire', message: 'no previous secret is live; stage a secret first' } },
    });
    expect(published).toEqual([]);
  });

  it('with Redis out of reach: 503 rotation_unavailable, the previous secret still live, nothing announced', async () => {
    const widget = await stagedWidget();
    const { useCase, published } = retirement(widget.id, stores.unreachable.cache);
    const refusal = await httpRefusal(useCase.execute(WidgetCommand.create({ workspaceId: widget.workspace_id, widgetId: widget.id })));
    expect(refusal).toMatchObject({ status: 503, body: { error: { code: 'rotation_unavailable', message: 'the secret cache could not be invalidated, so nothing was retired; try again' } } });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 2, previousLive: true });
    expect(published).toEqual([]);
  });

  it('404 widget_not_found for another workspace’s widget', async () => {
    const [widget, stranger] = [await stagedWidget(), await stores.createWidget()];
    const { useCase } = retirement(widget.id);
    expect(await httpRefusal(useCase.execute(WidgetCommand.create({ workspaceId: stranger.workspace_id, widgetId: widget.id })))).toMatchObject({ status: 404 });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 2, previousLive: true });
  });
});
