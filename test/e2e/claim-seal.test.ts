import { generateMasterKey, userHash } from '@inviaro/crypto';
import { createWidget, RunningSystem, startSystem, waitFor, WidgetClient } from '@inviaro/test-harness';

jest.setTimeout(120_000);

describe('a sealed claim that the verifier cannot open', () => {
  let system: RunningSystem;
  afterAll(async () => system?.stop());

  it('is a failed claim of its own reason: 202, stored anonymous, recorded as unopenable_claim', async () => {
    system = await startSystem({ claimKeys: `c1:${generateMasterKey()}` });
    // A verifier whose ring lacks the key the gateway seals with (step 3 of a rotation done before step 2).
    await system.processes.find((p) => p.name === 'verifier')!.stop('SIGTERM');
    await system.start('verifier', { INVIARO_CLAIM_KEYS: `c9:${generateMasterKey()}` });
    const widget = await createWidget(system);
    const client = new WidgetClient(system.gatewayUrl, widget);
    const visitorToken = await client.newVisitor();
    const posted = await client.postMessage(visitorToken, {
      client_message_id: 'sealed',
      text: 'hello',
      user_id: 'usr_1',
      user_hash: userHash('usr_1', widget.secret),
    });
    expect(posted.status).toBe(202);

    const [failure] = await waitFor('the failure record', async () => {
      const rows = await system.sql<{ reason: string; claimed_user_id: string | null }>(`SELECT reason, claimed_user_id FROM verification_failures`);
      return rows.length ? rows : undefined;
    });
    expect(failure).toEqual({ reason: 'unopenable_claim', claimed_user_id: null });
    const stored = await waitFor('the message', async () => {
      const rows = await system.sql<{ is_verified: boolean }>(
        `SELECT c.is_verified FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN contacts c ON c.id = v.contact_id WHERE m.id = $1`,
        [posted.body.message_id],
      );
      return rows[0];
    });
    expect(stored.is_verified).toBe(false);
  });
});
