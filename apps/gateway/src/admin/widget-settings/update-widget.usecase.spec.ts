import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores, SetIdentityPolicy } from '../secret-administration';
import { UpdateWidget, UpdateWidgetCommand } from './update-widget.usecase';

describe('UpdateWidget', () => {
  const stores = secretStoresSuite();
  const update = (fields: Omit<UpdateWidgetCommand, never>, cache = stores.cache) => {
    const secretStores = new SecretStores(stores.db, stores.vault, cache);
    return new UpdateWidget(secretStores, new SetIdentityPolicy(secretStores)).execute(UpdateWidgetCommand.create(fields));
  };

  it('changes what it is given and keeps the rest; new origins are marked for live streams before the commit', async () => {
    const widget = await stores.createWidget();
    const ids = { workspaceId: widget.workspace_id, widgetId: widget.id };
    expect(await update({ ...ids, name: 'Shop EU' })).toMatchObject({
      name: 'Shop EU',
      allowed_origins: ['https://shop.example'],
      identity_policy: 'user_hash',
    });
    expect(await stores.cache.marks([widget.id])).toEqual([{ liveFrom: 0 }]);
    expect(await update({ ...ids, allowed_origins: ['https://eu.shop.example'], identity_policy: 'either' })).toMatchObject({
      name: 'Shop EU',
      allowed_origins: ['https://eu.shop.example'],
      identity_policy: 'either',
    });
    expect(await stores.cache.marks([widget.id])).toEqual([{ liveFrom: 1, policy: 'either', origins: ['https://eu.shop.example'] }]);
  });

  it('turns enforce mode on with its prompt, and off, keeping the rest', async () => {
    const widget = await stores.createWidget();
    const ids = { workspaceId: widget.workspace_id, widgetId: widget.id };
    expect(await update({ ...ids, identity_required: true, sign_in_prompt: 'Sign in to chat' })).toMatchObject({
      allowed_origins: ['https://shop.example'],
      identity_required: true,
      sign_in_prompt: 'Sign in to chat',
    });
    expect(await update({ ...ids, identity_required: false })).toMatchObject({ identity_required: false, sign_in_prompt: 'Sign in to chat' });
  });

  it('with Redis out of reach: 503 update_unavailable, the origins unchanged', async () => {
    const widget = await stores.createWidget();
    const ids = { workspaceId: widget.workspace_id, widgetId: widget.id };
    expect(await httpRefusal(update({ ...ids, allowed_origins: ['https://elsewhere.example'] }, stores.unreachable.cache))).toMatchObject({
      status: 503,
      body: { error: { code: 'update_unavailable' } },
    });
    expect(await update({ ...ids, name: 'unchanged origins' })).toMatchObject({ allowed_origins: ['https://shop.example'] });
  });

  it('400 when nothing is given; 404 for another workspace’s widget', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect(await httpRefusal(update({ workspaceId: widget.workspace_id, widgetId: widget.id }))).toMatchObject({ status: 400 });
    expect(await httpRefusal(update({ workspaceId: stranger.workspace_id, widgetId: widget.id, name: 'x' }))).toMatchObject({
      status: 404,
      body: { error: { code: 'widget_not_found' } },
    });
  });
});
