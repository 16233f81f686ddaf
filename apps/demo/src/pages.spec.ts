import { contactPage, inboxPage } from './pages';

describe('the operator inbox', () => {
  it('shows how often a failed claim repeated, and when first and last', () => {
    const page = inboxPage(
      [],
      null,
      [
        {
          widget_id: 'w',
          visitor_id: 'v',
          claimed_user_id: 'usr_victim',
          distinct_user_ids: null,
          reason: 'mismatch',
          count: 1000,
          first_at: '2026-11-30T08:00:00.000Z',
          last_at: '2026-12-01T09:30:00.000Z',
          at: '2026-12-01T09:30:00.000Z',
          contact_id: null,
          conversation_id: null,
        },
      ],
      undefined,
    ).toString();
    const row = page.match(/<tr><td class="muted">[^\n]*usr_victim[^\n]*<\/tr>/)?.[0];
    expect(row).toBe(
      '<tr><td class="muted">2026-12-01 09:30:00 UTC</td><td>usr_victim</td><td>mismatch</td><td>1000</td><td class="muted">2026-11-30 08:00:00 UTC</td></tr>',
    );
  });
});

describe('a contact in the inbox', () => {
  const contact = {
    id: '6f1c2f8e-0000-4000-8000-000000000001',
    user_id: 'usr_1',
    is_verified: true,
    email: 'ana@example.com',
    email_verified: true,
    name: 'Ana',
    name_verified: false,
    created_at: '2026-12-01T09:00:00.000Z',
    last_seen_at: '2026-12-01T09:30:00.000Z',
  };

  it('marks the email and the name each as verified (it came signed) or self-reported', () => {
    const page = inboxPage([contact], null, [], undefined).toString();
    expect(page).toContain('Ana <span class="source self-reported">self-reported</span>');
    expect(page).toContain('ana@example.com <span class="source verified">✓ verified</span>');
  });

  it('shows the conversation as one timeline: the devices interleaved by time, each message marked with its device, no empty thread', () => {
    const message = (id: string, author: 'visitor' | 'operator', minute: number) => ({
      message_id: id,
      author,
      text: id,
      created_at: `2026-12-01T09:${String(minute).padStart(2, '0')}:00.000Z`,
    });
    const thread = (id: string, messages: ReturnType<typeof message>[]) => ({
      id,
      widget_id: 'w',
      visitor_id: `v-${id}`,
      created_at: '2026-12-01T08:00:00.000Z',
      messages,
      next_cursor: null,
    });
    const page = contactPage({
      ...contact,
      conversations: [
        thread('c-phone', [message('phone-1', 'visitor', 5), message('reply-1', 'operator', 6)]),
        thread('c-empty', []),
        thread('c-laptop', [message('laptop-1', 'visitor', 1), message('laptop-2', 'visitor', 7)]),
      ],
      failed_claims: [],
    }).toString();
    const shown = [...page.matchAll(/data-message-id="([^"]+)" data-conversation-id="([^"]+)" data-device="(\d)"/g)].map(([, id, thread, device]) => [
      id,
      thread,
      device,
    ]);
    expect(shown).toEqual([
      ['laptop-1', 'c-laptop', '1'],
      ['phone-1', 'c-phone', '2'],
      ['reply-1', 'c-phone', '2'],
      ['laptop-2', 'c-laptop', '1'],
    ]);
    expect(page).not.toContain('c-empty');
    // The reply goes to the thread the visitor wrote from last.
    expect(page).toContain('action="/inbox/conversations/c-laptop/replies"');
  });

  it('shows the same marks on the contact page', () => {
    const page = contactPage({ ...contact, email_verified: false, conversations: [], failed_claims: [] }).toString();
    expect(page).toContain('ana@example.com <span class="source self-reported">self-reported</span>');
  });
});
