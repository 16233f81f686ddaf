import { userHash } from '@inviaro/crypto';
import { createWidget, inParallel, nth, RATE_LIMITS_LIFTED, waitFor, WidgetClient, widgetSuite } from '@inviaro/test-harness';

jest.setTimeout(300_000);

const REPEATS = 1_000;
const MADE_UP_IDS = 60;
/** Distinct claimed ids of one visitor and reason that keep rows of their own (the verifier's FAILURE_FOLD_DISTINCT_IDS default). */
const OWN_ROWS = 5;

describe('failure records stay bounded: repeats fold, retention prunes', () => {
  const suite = widgetSuite({ serviceEnv: RATE_LIMITS_LIFTED });
  const forged = { user_id: 'usr_victim', user_hash: userHash('usr_victim', 'f'.repeat(64)) };

  it(`folds ${REPEATS} identical failed claims into one record with their count`, async () => {
    const token = await suite.client.newVisitor();
    const answers = await inParallel(REPEATS, 20, (i) => suite.client.postMessage(token, { client_message_id: `spoof-${i}`, text: `spoof ${i}`, ...forged }));
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);

    const rows = await waitFor(
      `${REPEATS} failures counted`,
      async () => {
        const found = await suite.system.sql<{ count: number }>(`SELECT count FROM verification_failures WHERE widget_id = $1`, [suite.widget.widgetId]);
        return found.length === 1 && found[0]?.count === REPEATS ? found : undefined;
      },
      240_000,
      500,
    );
    expect(rows).toHaveLength(1);

    // Listed once the message it last counted is stored, with where that message is.
    const listed = await waitFor('the last message stored', async () => {
      const answer = await suite.widget.admin.failures(`?widget_id=${suite.widget.widgetId}`);
      return answer.body.failures[0]?.conversation_id ? answer : undefined;
    });
    expect(listed.body.failures).toEqual([
      {
        widget_id: suite.widget.widgetId,
        visitor_id: expect.any(String),
        claimed_user_id: 'usr_victim',
        distinct_user_ids: null,
        reason: 'mismatch',
        count: REPEATS,
        at: expect.any(String),
        first_at: expect.any(String),
        last_at: listed.body.failures[0]?.at,
        contact_id: expect.any(String),
        conversation_id: expect.any(String),
      },
    ]);
    const failure = nth(listed.body.failures as Array<{ first_at: string; last_at: string }>, 0);
    expect(Date.parse(failure.first_at)).toBeLessThan(Date.parse(failure.last_at));
  });

  it('prunes failure records past FAILURE_RETENTION_DAYS and the timeline the fold rule can no longer read', async () => {
    const { system, client } = suite;
    // An old failure and a recent one, by another visitor.
    const other = await client.newVisitor();
    expect((await client.postMessage(other, { client_message_id: 'recent', text: 'recent', user_id: 'usr_recent', user_hash: 'a'.repeat(64) })).status).toBe(
      202,
    );
    await waitFor('the recent failure', async () =>
      (await system.sql(`SELECT 1 FROM verification_failures WHERE claimed_user_id = 'usr_recent'`)).length ? true : undefined,
    );
    await system.sql(
      `UPDATE verification_failures SET first_at = first_at - interval '40 days', at = at - interval '40 days' WHERE claimed_user_id = 'usr_victim'`,
    );

    // One visitor's timeline, received 100 days ago: anonymous, login as u1, anonymous, login as u2, anonymous.
    const timeline = await client.newVisitor();
    const claim = (userId: string) => ({ user_id: userId, user_hash: userHash(userId, suite.widget.secret) });
    const steps = [{ id: 'a1' }, { id: 'v1', ...claim('usr_u1') }, { id: 'a2' }, { id: 'v2', ...claim('usr_u2') }, { id: 'a3' }];
    const ids: Record<string, string> = {};
    for (const { id, ...fields } of steps) {
      const answer = await client.postMessage(timeline, { client_message_id: id, text: id, ...fields });
      expect(answer.status).toBe(202);
      ids[answer.body.message_id] = id;
    }
    // And a visitor that never logged in: its old anonymous run is still the live one, kept whole.
    const neverLoggedIn = await client.newVisitor();
    for (const id of ['n1', 'n2']) ids[(await client.postMessage(neverLoggedIn, { client_message_id: id, text: id })).body.message_id] = id;
    const messageIds = Object.keys(ids);
    await waitFor('the timeline recorded', async () =>
      (await system.sql(`SELECT 1 FROM visitor_events WHERE message_id = ANY($1)`, [messageIds])).length === messageIds.length ? true : undefined,
    );
    await system.sql(`UPDATE visitor_events SET received_at = received_at - interval '100 days' WHERE message_id = ANY($1)`, [messageIds]);

    // Retention runs at start (then hourly): new instances prune now.
    await system.start('verifier');
    await system.start('contacts');

    await waitFor('the old failure pruned', async () =>
      (await system.sql(`SELECT 1 FROM verification_failures WHERE claimed_user_id = 'usr_victim'`)).length ? undefined : true,
    );
    expect(await system.sql(`SELECT claimed_user_id FROM verification_failures`)).toEqual([{ claimed_user_id: 'usr_recent' }]);
    const kept = await waitFor('the timeline pruned', async () => {
      const rows = await system.sql<{ message_id: string }>(`SELECT message_id FROM visitor_events WHERE message_id = ANY($1)`, [messageIds]);
      return rows.length < messageIds.length ? rows.map((row) => ids[row.message_id]).sort() : undefined;
    });
    // v2 stays as the boundary of the run after it; a1, v1 and a2 lie in runs closed before it.
    expect(kept).toEqual(['a3', 'n1', 'n2', 'v2']);
    // The messages themselves are history and stay.
    expect(await system.sql(`SELECT 1 FROM messages WHERE id = ANY($1)`, [messageIds])).toHaveLength(messageIds.length);
  });
  it(`folds one visitor’s ${MADE_UP_IDS} made-up ids into one row with their distinct count; real users’ failures stay on the first page and findable by id`, async () => {
    const widget = await createWidget(suite.system);
    const client = new WidgetClient(suite.system.gatewayUrl, widget);
    const forgedAs = (userId: string) => ({ user_id: userId, user_hash: userHash(userId, 'f'.repeat(64)) });
    type Listed = { claimed_user_id: string | null; reason: string; count: number; distinct_user_ids: number | null; visitor_id: string };
    const listFailures = async (query: string) =>
      (await widget.admin.failures(`?widget_id=${widget.widgetId}${query}`)).body as unknown as { failures: Listed[]; next_cursor: string | null };
    const failuresCounted = (total: number) =>
      waitFor(`${total} failures counted`, async () => {
        const { failures } = await listFailures('&limit=200');
        return failures.reduce((sum, failure) => sum + failure.count, 0) === total ? failures : undefined;
      });

    // A real user's failure, then a spoofer's flood of made-up ids after it.
    expect((await client.postMessage(await client.newVisitor(), { client_message_id: 'real-before', text: 'hi', ...forgedAs('usr_real_before') })).status).toBe(
      202,
    );
    await failuresCounted(1);
    const spoofer = await client.newVisitor();
    const madeUp = Array.from({ length: MADE_UP_IDS }, (_, i) => `usr_made_up_${i}`);
    const answers = await inParallel(MADE_UP_IDS, 10, (i) =>
      client.postMessage(spoofer, { client_message_id: `made-up-${i}`, text: 'spoof', ...forgedAs(madeUp[i]!) }),
    );
    expect(answers.filter((answer) => answer.status !== 202)).toEqual([]);
    await failuresCounted(1 + MADE_UP_IDS);
    // A folded id again: one more failure in the folded row, no new distinct id.
    const ownRows = (await listFailures('')).failures
      .filter((failure) => failure.claimed_user_id?.startsWith('usr_made_up_'))
      .map((failure) => failure.claimed_user_id);
    const foldedId = madeUp.find((id) => !ownRows.includes(id))!;
    expect((await client.postMessage(spoofer, { client_message_id: 'made-up-again', text: 'spoof', ...forgedAs(foldedId) })).status).toBe(202);
    // And a real user's failure after the flood.
    expect((await client.postMessage(await client.newVisitor(), { client_message_id: 'real-after', text: 'hi', ...forgedAs('usr_real_after') })).status).toBe(
      202,
    );
    await failuresCounted(1 + MADE_UP_IDS + 2);

    const firstPage = await listFailures('&limit=10');
    const folded = firstPage.failures.filter((failure) => failure.distinct_user_ids !== null);
    expect(folded).toEqual([
      expect.objectContaining({ claimed_user_id: null, reason: 'mismatch', count: MADE_UP_IDS - OWN_ROWS + 1, distinct_user_ids: MADE_UP_IDS - OWN_ROWS }),
    ]);
    const spooferId = nth(folded, 0).visitor_id;
    const byText = (a: string | null, b: string | null) => String(a).localeCompare(String(b));
    expect(firstPage.failures.map((failure) => failure.claimed_user_id).sort(byText)).toEqual(
      [...ownRows, 'usr_real_after', 'usr_real_before', null].sort(byText),
    );
    expect(ownRows).toHaveLength(OWN_ROWS);
    expect(firstPage.failures.filter((failure) => failure.visitor_id === spooferId)).toHaveLength(OWN_ROWS + 1);
    expect(firstPage.next_cursor).toBeNull();

    // Each id is findable by itself: a real user's row, and a made-up id folded into the spoofer's row.
    expect((await listFailures('&user_id=usr_real_before')).failures).toEqual([
      expect.objectContaining({ claimed_user_id: 'usr_real_before', count: 1, distinct_user_ids: null }),
    ]);
    expect((await listFailures(`&user_id=${foldedId}`)).failures).toEqual([
      expect.objectContaining({ claimed_user_id: foldedId, count: 2, distinct_user_ids: null, visitor_id: spooferId }),
    ]);
  });
});
