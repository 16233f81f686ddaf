import { inboxPage } from './pages';

describe('the operator inbox', () => {
  it('shows how often a failed claim repeated, and when first and last', () => {
    const page = inboxPage(
      [],
      null,
      [{ widget_id: 'w', claimed_user_id: 'usr_victim', reason: 'mismatch', count: 1000, first_at: '2026-11-30T08:00:00.000Z', last_at: '2026-12-01T09:30:00.000Z', at: '2026-12-01T09:30:00.000Z' }],
      undefined,
    ).toString();
    const row = page.match(/<tr><td class="muted">[^\n]*usr_victim[^\n]*<\/tr>/)?.[0];
    expect(row).toBe(
      '<tr><td class="muted">2026-12-01 09:30:00 UTC</td><td>usr_victim</td><td>mismatch</td><td>1000</td><td class="muted">2026-11-30 08:00:00 UTC</td></tr>',
    );
  });
});
