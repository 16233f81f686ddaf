/**
 * Signed attributes (issue 17): contact.verified names in `signed_attributes` which of its email and
 * name came signed in a user_jwt. The contacts service keeps a signed value against every
 * self-reported one, shows which is which in the admin API, and still never merges on email.
 * The events are published the way the verifier publishes them; the admin API is the real gateway's.
 */
import { randomUUID } from 'node:crypto';
import { widgetSuite } from '@inviaro/test-harness';
import { EventFeed, seedVisitors, WidgetEvent } from './support';

jest.setTimeout(120_000);

interface Contact {
  id: string;
  user_id: string | null;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  name_verified: boolean;
}

describe('signed attributes: a signed value is never overwritten by a self-reported one', () => {
  let feed: EventFeed;
  // Declared before the suite's own: after-hooks run in order, and the feed must close before NATS stops.
  afterAll(() => feed?.close());
  const suite = widgetSuite();
  beforeAll(async () => {
    feed = await EventFeed.open(suite.system.servers.natsUrl);
  });

  const start = Date.now() - 60_000;
  const event = (visitorId: string, second: number, fields: Partial<WidgetEvent>): WidgetEvent => ({
    kind: 'identify',
    message_id: randomUUID(),
    workspace_id: suite.widget.workspaceId,
    widget_id: suite.widget.widgetId,
    visitor_id: visitorId,
    received_at: new Date(start + second * 1000).toISOString(),
    ...fields,
  });
  const deliver = async (...events: WidgetEvent[]) => {
    for (const e of events) await feed.publish(e);
    await feed.drained();
  };
  const contactOf = async (userId: string): Promise<Contact> => {
    const listed = await suite.widget.admin.call<{ contacts: Contact[] }>('GET', `contacts?user_id=${userId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.contacts).toHaveLength(1);
    const [contact] = listed.body.contacts;
    const detail = await suite.widget.admin.call<Contact>('GET', `contacts/${contact!.id}`);
    // The contact's own page says the same as the list.
    expect(detail.body).toMatchObject(contact!);
    return contact!;
  };

  it('keeps the signed email from one device against a later self-reported one from another, and shows it as verified', async () => {
    const [laptop, phone] = await seedVisitors(suite.system, suite.widget.widgetId, 2);
    await deliver(event(laptop!, 0, { user_id: 'usr_ana', email: 'ana@signed.example', name: 'Ana', signed_attributes: ['email'] }));
    expect(await contactOf('usr_ana')).toMatchObject({ email: 'ana@signed.example', email_verified: true, name: 'Ana', name_verified: false });

    // Later, another device of the same user says otherwise, unsigned: the name (never signed) follows, the email does not.
    await deliver(event(phone!, 10, { kind: 'message', text: 'from the phone', user_id: 'usr_ana', email: 'typed@example.com', name: 'Ana Typed' }));
    expect(await contactOf('usr_ana')).toMatchObject({ email: 'ana@signed.example', email_verified: true, name: 'Ana Typed', name_verified: false });

    // A later signed value replaces the older signed one.
    await deliver(event(phone!, 20, { user_id: 'usr_ana', email: 'ana@new.example', name: 'Ana Signed', signed_attributes: ['email', 'name'] }));
    expect(await contactOf('usr_ana')).toMatchObject({ email: 'ana@new.example', email_verified: true, name: 'Ana Signed', name_verified: true });

    // Delivered late, an older signed value does not win over the newer one; an older self-reported one not over either.
    await deliver(
      event(laptop!, 15, { user_id: 'usr_ana', email: 'ana@older.example', signed_attributes: ['email'] }),
      event(laptop!, 5, { user_id: 'usr_ana', name: 'Old Typed' }),
    );
    expect(await contactOf('usr_ana')).toMatchObject({ email: 'ana@new.example', email_verified: true, name: 'Ana Signed', name_verified: true });
  });

  it('identity stays the user id: another user with the same signed email is another contact', async () => {
    const [device, other] = await seedVisitors(suite.system, suite.widget.widgetId, 2);
    await deliver(
      event(device!, 0, { user_id: 'usr_bo', email: 'shared@signed.example', signed_attributes: ['email'] }),
      event(other!, 1, { user_id: 'usr_cy', email: 'shared@signed.example', signed_attributes: ['email'] }),
    );
    const [bo, cy] = [await contactOf('usr_bo'), await contactOf('usr_cy')];
    expect(bo.id).not.toBe(cy.id);
    expect([bo, cy]).toEqual([
      expect.objectContaining({ user_id: 'usr_bo', email: 'shared@signed.example', email_verified: true }),
      expect.objectContaining({ user_id: 'usr_cy', email: 'shared@signed.example', email_verified: true }),
    ]);
  });

  it('an anonymous contact’s email is self-reported', async () => {
    const [visitor] = await seedVisitors(suite.system, suite.widget.widgetId, 1);
    await deliver(event(visitor!, 0, { email: 'anon@example.com' }));
    const listed = await suite.widget.admin.call<{ contacts: Contact[] }>('GET', 'contacts?verified=false');
    expect(listed.body.contacts.find((c) => c.email === 'anon@example.com')).toMatchObject({ user_id: null, email_verified: false, name_verified: false });
  });
});
