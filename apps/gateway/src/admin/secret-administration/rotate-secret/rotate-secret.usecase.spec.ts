import { httpRefusal, recordingPublisher, secretStoresSuite } from '@inviaro/test-harness';
import { WidgetRef } from '../../widget-row';
import { RotationAnnouncement } from '../rotation-announcement';
import { SecretStores } from '../secret-stores';
import { WidgetCommand } from '../widget.command';
import { RotateSecret } from './rotate-secret.usecase';

describe('RotateSecret', () => {
  const stores = secretStoresSuite();

  const rotation = (widget: WidgetRef, cache = stores.cache) => {
    const recorded = recordingPublisher(() => stores.stateOf(widget.id));
    const useCase = new RotateSecret(new SecretStores(stores.db, stores.vault, cache), new RotationAnnouncement(recorded.publisher));
    return { ...recorded, rotate: (workspaceId = widget.workspace_id) => useCase.execute(WidgetCommand.create({ workspaceId, widgetId: widget.id })) };
  };

  it('changes the vault, marks the cache before the commit, then announces: the answer is the new secret, the only one that verifies', async () => {
    const widget = await stores.createWidget();
    const { rotate, published } = rotation(widget);
    const answer = await rotate();
    expect(published).toEqual([
      {
        subject: 'widget.secret.rotated',
        data: { workspace_id: widget.workspace_id, widget_id: widget.id, secret_version: 2 },
        seen: { status: { version: 2, previousLive: false }, marks: [{ liveFrom: 2 }] },
      },
    ]);
    const current = await stores.vault.current(widget.id);
    expect(current).toMatchObject({ version: 2, secret: answer.widget_secret, previousLive: false });
  });

  it('with Redis out of reach: 503 rotation_unavailable, nothing rotated, nothing announced', async () => {
    const widget = await stores.createWidget();
    const { rotate, published } = rotation(widget, stores.unreachable.cache);
    const refusal = await httpRefusal(rotate());
    expect(refusal).toEqual({
      status: 503,
      body: { error: { code: 'rotation_unavailable', message: 'the secret cache could not be invalidated, so nothing was rotated; try again' } },
    });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 1, previousLive: false });
    expect(published).toEqual([]);
  });

  it('answers the new secret when the announcement cannot be published: the rotation is in force all the same', async () => {
    const widget = await stores.createWidget();
    const { rotate, published, publisher } = rotation(widget);
    publisher.fail = new Error('no responders');
    const answer = await rotate();
    expect(published).toHaveLength(1);
    expect(await stores.vault.current(widget.id)).toMatchObject({ version: 2, secret: answer.widget_secret });
  });

  it('404 widget_not_found for another workspace’s widget, which keeps its secret', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    const { rotate, published } = rotation(widget);
    const refusal = await httpRefusal(rotate(stranger.workspace_id));
    expect(refusal).toEqual({ status: 404, body: { error: { code: 'widget_not_found', message: 'no widget with this id in your workspace' } } });
    expect(await stores.vault.status(widget.id)).toEqual({ version: 1, previousLive: false });
    expect(published).toEqual([]);
  });
});
