import { httpRefusal, secretStoresSuite } from '@inviaro/test-harness';
import { SecretStores } from '../secret-stores';
import { SetIdentityPolicyCommand } from './set-identity-policy.command';
import { SetIdentityPolicy } from './set-identity-policy.usecase';

describe('SetIdentityPolicy', () => {
  const stores = secretStoresSuite();
  const setPolicy = (workspaceId: string, widgetId: string, cache = stores.cache) =>
    new SetIdentityPolicy(new SecretStores(stores.db, stores.vault, cache)).execute(
      SetIdentityPolicyCommand.create({ workspaceId, widgetId, identityPolicy: 'jwt' }),
    );

  it('stores the policy and marks it in the cache (for live streams) before the commit; answers the widget with it', async () => {
    const widget = await stores.createWidget();
    expect(await setPolicy(widget.workspace_id, widget.id)).toMatchObject({ id: widget.id, identity_policy: 'jwt' });
    expect(await stores.vault.current(widget.id)).toMatchObject({ policy: 'jwt' });
    expect(await stores.cache.marks([widget.id])).toEqual([{ liveFrom: 1, policy: 'jwt' }]);
  });

  it('with Redis out of reach: 503 policy_unavailable, the policy unchanged', async () => {
    const widget = await stores.createWidget();
    expect(await httpRefusal(setPolicy(widget.workspace_id, widget.id, stores.unreachable.cache))).toEqual({
      status: 503,
      body: { error: { code: 'policy_unavailable', message: 'the secret cache could not be invalidated, so nothing was changed; try again' } },
    });
    expect(await stores.vault.current(widget.id)).toMatchObject({ policy: 'user_hash' });
  });

  it('404 widget_not_found for another workspace’s widget, whose policy stays', async () => {
    const [widget, stranger] = [await stores.createWidget(), await stores.createWidget()];
    expect(await httpRefusal(setPolicy(stranger.workspace_id, widget.id))).toMatchObject({ status: 404, body: { error: { code: 'widget_not_found' } } });
    expect(await stores.vault.current(widget.id)).toMatchObject({ policy: 'user_hash' });
  });

  it('refuses a policy it does not know with 400 invalid_request', async () => {
    const unknown = {
      workspaceId: '7d1c6a0e-4b7e-4d8a-9b1f-2f6a8c3e5d41',
      widgetId: '5f0c1e9a-2d3b-4c6e-8a7f-1b2c3d4e5f60',
      identityPolicy: 'hmac',
    } as unknown as SetIdentityPolicyCommand;
    const command = async () => SetIdentityPolicyCommand.create(unknown);
    expect(await httpRefusal(command())).toEqual({
      status: 400,
      body: { error: { code: 'invalid_request', message: 'identityPolicy: identity_policy must be one of user_hash, jwt, either' } },
    });
  });
});
