import { httpRefusal, recordingPublisher, secretStoresSuite } from '@inviaro/test-harness';
import { WidgetRef } from '../../widget-row';
import { GetSecretStatus } from '../get-secret-status/get-secret-status.usecase';
import { RotationAnnouncement } from '../rotation-announcement';
import { SecretStores } from '../secret-stores';
import { WidgetCommand } from '../widget.command';
import { RetireSecret } from './retire-secret.usecase';

describe('RetireSecret', () => {
  const stores = secretStoresSuite();
  const retirement = (widget: WidgetRef, cache = stores.cache) => {
    const recorded = recordingPublisher(() => stores.stateOf(widget.id));
    const status = new GetSecretStatus(new SecretStores(stores.db, stores.vault, stores.cache), stores.previousUses);
    const useCase = new RetireSecret(new SecretStores(stores.db, stores.vault, cache), new RotationAnnouncement(recorded.publisher), status);
    return { ...recorded, retire: (workspaceId = widget.workspace_id) => useCase.execute(WidgetCommand.create({ workspaceId, widgetId: widget.id })) };
  };
  const stagedWidget = async () => {
    const widget = await stores.createWidget();
    await stores.vault.stage(widget.id, (change) => stores.cache.invalidate(widget.id, change));
    return widget;
  };

  it('ends the previous secret in the vault, marks the cache before the commit, then announces; answers the status', async () => {
    const widget = await stagedWidget();
    const { retire, published } = retirement(widget);
    expect(await retire()).toEqual({ secret_version: 2 });
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
    const { retire, published } = retirement(widget);
    expect(await httpRefusal(retire())).toEqual({
      status: 409,
      body: { error: { code: 'nothing_to_retire', message: 'no previous secret is live; stage a secret first' } },
    });
    expect(published).toEqual([]);
  });

  it('with Redis out of reach: 503 rotation_unavailable, the previous secret still live, nothing announced', async () => {
    const widget = await stagedWidget();
    const { retire, published } = retirement(widget, stores.unreachable.cache);
    expect((await httpRefusal(retire())).body).toEqual({
      error: { code: 'rotation_unavailable', message: 'the secret cache could not be invalidated, so nothing was retired; try again' },
    });
    expect({ state: await stores.stateOf(widget.id), published }).toEqual({
      state: { status: { version: 2, previousLive: true }, marks: [{ liveFrom: 1 }] },
      published: [],
    });
  });

  it('404 widget_not_found for another workspace’s widget', async () => {
    const [widget, stranger] = [await stagedWidget(), await stores.createWidget()];
    const { retire } = retirement(widget);
    expect(await httpRefusal(retire(stranger.workspace_id))).toMatchObject({ status: 404 });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 2, previousLive: true });
  });
});
