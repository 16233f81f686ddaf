import type {
  ContactDetail,
  ContactSummary,
  ContactWithFailedClaims,
  StoredMessage,
  VerificationFailure,
  VerificationHealth,
  VerificationTotals,
  WidgetListed,
} from '@inviaro/contracts';
import { DemoConfig } from './config';
import { html, Html, jsLiteral } from './html';
import { DemoUser, USERS } from './users';

function layout(title: string, nonce: string, body: Html, head: Html = html``): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/demo.css">
${head}
</head>
<body>
${body}
</body>
</html>`;
}

/**
 * The docs' "Wiring the page", server-rendered: the settings (with the user's hash signed on this
 * server) and v1.js from the gateway. The one line added is the documented queue stub, so that
 * calls made before v1.js has loaded (this page's login button) are kept.
 */
function widgetWiring(config: DemoConfig, nonce: string, user: DemoUser | undefined, userHash: string | undefined): Html {
  const fields: Array<[string, string]> = [
    ['key', config.widgetKey],
    ['origin', config.origin],
  ];
  if (user && userHash) fields.push(['userId', user.id], ['userHash', userHash], ['userEmail', user.email], ['userName', user.name]);
  const settings = fields.map(([name, value], i) => html`    ${new Html(name)}: ${jsLiteral(value)}${i < fields.length - 1 ? ',' : ''}\n`);
  return html`<script nonce="${nonce}">
  window.InviaroSettings = {
${settings}  };
  window.Inviaro = window.Inviaro || function () { (Inviaro.q = Inviaro.q || []).push(arguments); };
</script>
<script src="${config.gatewayUrl}/v1.js" async></script>`;
}

export function productPage(config: DemoConfig, nonce: string, user: DemoUser | undefined, userHash: string | undefined): Html {
  const body = html`<header class="top">
  <span class="brand">Northwind Projects</span>
  <span data-when="in" ${user ? '' : new Html('hidden')}>Signed in as <b data-user-name>${user?.name}</b></span>
  <form method="post" action="/logout" data-spa="logout" data-when="in" ${user ? '' : new Html('hidden')}><button class="secondary" type="submit">Log out</button></form>
  <a href="/inbox">Operator inbox</a>
</header>
<main>
  <section class="card" data-when="in" ${user ? '' : new Html('hidden')}>
    <h1>Welcome back, <span data-user-name>${user?.name}</span></h1>
    <p class="muted">Your projects at a glance. Questions? The chat in the corner knows who you are: your conversation follows you to every browser you sign in on.</p>
    <div class="stats">
      <div class="stat"><b>12</b>open tasks</div>
      <div class="stat"><b>3</b>projects</div>
      <div class="stat"><b>98%</b>on schedule</div>
    </div>
  </section>
  <section class="card" data-when="out" ${user ? new Html('hidden') : ''}>
    <h1>Northwind Projects</h1>
    <p class="muted">You are browsing anonymously; the chat works anyway. Sign in (no password in this demo) to carry your identity into the chat.</p>
    <div class="users">
${USERS.map(
  (u) =>
    html`      <form method="post" action="/login" data-spa="login"><input type="hidden" name="user" value="${u.id}"><button type="submit">Sign in as ${u.name}</button></form>\n`,
)}    </div>
  </section>
</main>`;
  return layout(
    'Northwind Projects',
    nonce,
    body,
    html`${widgetWiring(config, nonce, user, userHash)}\n<script nonce="${nonce}" src="/app.js" defer></script>`,
  );
}

function badge(verified: boolean): Html {
  return verified ? html`<span class="badge verified">✓ Verified</span>` : html`<span class="badge anonymous">Anonymous</span>`;
}

/** A contact's email and name, each marked as verified (it came signed in a user_jwt) or self-reported (what the page said). */
function attributes(contact: ContactSummary): Html {
  const shown = [
    contact.name ? attribute(contact.name, contact.name_verified) : '',
    contact.email ? attribute(contact.email, contact.email_verified) : '',
  ].filter((item) => item !== '');
  return html`<span class="muted">${shown.map((item, i) => html`${i > 0 ? ' · ' : ''}${item}`)}</span>`;
}

function attribute(value: string, verified: boolean): Html {
  return html`${value} <span class="source ${verified ? 'verified' : 'self-reported'}">${verified ? '✓ verified' : 'self-reported'}</span>`;
}

function when(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

function inboxHeader(): Html {
  return html`<header class="top"><span class="brand">Northwind Projects · Operator inbox</span><a href="/inbox">Contacts</a><a href="/inbox/failures">Failures</a><a href="/inbox/widgets">Verification health</a><a href="/">Product</a></header>`;
}

export function inboxPage(
  contacts: ContactSummary[],
  nextCursor: string | null,
  failures: VerificationFailure[],
  verified: string | undefined,
  search?: string,
): Html {
  const filter = (value: string | undefined, label: string) =>
    verified === value ? html`<b>${label}</b>` : html`<a href="/inbox${value ? `?verified=${value}` : ''}">${label}</a>`;
  const body = html`${inboxHeader()}
<main>
  <section class="card">
    <h1>Contacts</h1>
    <nav class="filters" aria-label="Filter contacts">${filter(undefined, 'All')} ${filter('true', 'Verified')} ${filter('false', 'Anonymous')}</nav>
    <form method="get" action="/inbox" role="search">
      <label for="contact-search" class="muted">Find a contact by user id or email</label>
      <input id="contact-search" name="q" value="${search ?? ''}" maxlength="320"> <button type="submit">Search</button>
    </form>
    <table>
      <thead><tr><th scope="col">Contact</th><th scope="col">Identity</th><th scope="col">First seen</th><th scope="col">Last seen</th></tr></thead>
      <tbody>
${contacts.map(
  (c) => html`        <tr data-contact-id="${c.id}">
          <td><a href="/inbox/contacts/${c.id}">${c.name || c.email || c.user_id || `Visitor ${c.id.slice(0, 8)}`}</a>${c.email || c.name ? html`<br>${attributes(c)}` : ''}</td>
          <td>${badge(c.is_verified)}${c.user_id ? html` <span class="muted">${c.user_id}</span>` : ''}</td>
          <td class="muted">${when(c.created_at)}</td>
          <td class="muted">${when(c.last_seen_at)}</td>
        </tr>\n`,
)}      </tbody>
    </table>
    ${contacts.length ? '' : html`<p class="muted">${search ? `No contact with user id or email “${search}”.` : 'No conversations yet.'}</p>`}
    ${nextCursor ? html`<p><a href="/inbox?${new URLSearchParams({ ...(verified ? { verified } : {}), cursor: nextCursor }).toString()}">Older contacts →</a></p>` : ''}
  </section>
  <section class="card">
    <h2>Verification failures</h2>
    <p class="muted">Claims that did not verify were dropped; those chats went on anonymously.</p>
    <table>
      <thead><tr><th scope="col">Last seen</th><th scope="col">Claimed user id</th><th scope="col">Reason</th><th scope="col">Times</th><th scope="col">First seen</th></tr></thead>
      <tbody>
${failures.map((f) => html`        <tr><td class="muted">${when(f.last_at)}</td><td>${f.claimed_user_id ?? '—'}</td><td>${f.reason}</td><td>${String(f.count)}</td><td class="muted">${when(f.first_at)}</td></tr>\n`)}      </tbody>
    </table>
    ${failures.length ? '' : html`<p class="muted">None.</p>`}
    <p><a href="/inbox/failures">All failures, by user and reason →</a></p>
  </section>
</main>`;
  return layout('Operator inbox', '', body);
}

/** The support trail: failed claims by user id and reason, a page at a time, each linked to the conversation its message went to. */
export function failuresPage(failures: VerificationFailure[], nextCursor: string | null, filters: { user_id?: string; reason?: string }): Html {
  const kept = Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1]));
  const body = html`${inboxHeader()}
<main>
  <section class="card">
    <h1>Verification failures</h1>
    <p class="muted">Claims that did not verify were dropped; those chats went on anonymously. Newest first.</p>
    <form method="get" action="/inbox/failures" class="filters" role="search">
      <label for="failures-user">User id</label> <input id="failures-user" name="user_id" value="${filters.user_id ?? ''}" maxlength="255">
      <label for="failures-reason">Reason</label> <input id="failures-reason" name="reason" value="${filters.reason ?? ''}" placeholder="mismatch" maxlength="40">
      <button type="submit">Filter</button>
    </form>
    <table>
      <thead><tr><th scope="col">Last seen</th><th scope="col">Claimed user id</th><th scope="col">Reason</th><th scope="col">Times</th><th scope="col">First seen</th><th scope="col">Conversation</th></tr></thead>
      <tbody>
${failures.map(
  (f) =>
    html`        <tr data-failure><td class="muted">${when(f.last_at)}</td><td>${claimedUser(f)}</td><td>${f.reason}</td><td>${String(f.count)}</td><td class="muted">${when(f.first_at)}</td><td>${
      f.contact_id && f.conversation_id
        ? html`<a href="/inbox/contacts/${f.contact_id}#conversation-${f.conversation_id}">Open conversation</a>`
        : html`<span class="muted">no message</span>`
    }</td></tr>\n`,
)}      </tbody>
    </table>
    ${failures.length ? '' : html`<p class="muted">No failed claims${kept.length ? ' match' : ''}.</p>`}
    ${nextCursor ? html`<p><a href="/inbox/failures?${new URLSearchParams([...kept, ['cursor', nextCursor]]).toString()}">Older failures →</a></p>` : ''}
  </section>
</main>`;
  return layout('Verification failures', '', body);
}

/** A contact's devices' failed claims: what a support agent reads to answer "why isn't this user recognised?". */
function failedClaims(failures: VerificationFailure[]): Html {
  return html`  <section class="card" aria-labelledby="failed-claims">
    <h2 id="failed-claims">Failed identity claims from these devices</h2>
    <table>
      <thead><tr><th scope="col">Last seen</th><th scope="col">Claimed user id</th><th scope="col">Reason</th><th scope="col">Times</th></tr></thead>
      <tbody>
${failures.map((f) => html`        <tr data-failed-claim><td class="muted">${when(f.last_at)}</td><td>${claimedUser(f)}</td><td>${f.reason}</td><td>${String(f.count)}</td></tr>\n`)}      </tbody>
    </table>
  </section>\n`;
}

function claimedUser(failure: VerificationFailure): string {
  if (failure.distinct_user_ids !== null) return `(${failure.distinct_user_ids} more ids of one visitor)`;
  return failure.claimed_user_id ?? '—';
}

/** A message of the contact's timeline, with the device (the conversation's visitor) it came from or went to. */
interface TimelineMessage {
  message: StoredMessage;
  conversationId: string;
  device: number;
}

/**
 * The contact's one timeline: every device's thread (a conversation per visitor) interleaved by time, each
 * message marked with its device; a thread without messages shows nothing. Devices are numbered by their
 * first message. A reply goes to the thread of the visitor's last message (the verified user sees it on
 * every device signed in as them).
 */
function timelineOf(contact: ContactDetail): TimelineMessage[] {
  const threads = contact.conversations
    .filter((conversation) => conversation.messages.length > 0)
    .sort((a, b) => firstAt(a).localeCompare(firstAt(b)) || a.id.localeCompare(b.id));
  return threads
    .flatMap((conversation, i) => conversation.messages.map((message) => ({ message, conversationId: conversation.id, device: i + 1 })))
    .sort((a, b) => a.message.created_at.localeCompare(b.message.created_at) || a.message.message_id.localeCompare(b.message.message_id));
}

const firstAt = (conversation: ContactDetail['conversations'][number]) => conversation.messages[0]?.created_at ?? conversation.created_at;

export function contactPage(contact: ContactWithFailedClaims): Html {
  const title = contact.name || contact.email || contact.user_id || `Visitor ${contact.id.slice(0, 8)}`;
  const timeline = timelineOf(contact);
  const devices = new Set(timeline.map((entry) => entry.device)).size;
  const replyTo = [...timeline].reverse().find((entry) => entry.message.author === 'visitor') ?? timeline[timeline.length - 1];
  // A thread's first message is where a link to its conversation lands (the failures page's).
  const threadStarts = new Set(contact.conversations.map((conversation) => conversation.messages[0]?.message_id));
  const body = html`${inboxHeader()}
<main>
  <section class="card">
    <h1>${title} ${badge(contact.is_verified)}</h1>
    <p class="muted">${contact.user_id ? html`User id ${contact.user_id} · ` : ''}${contact.email || contact.name ? html`${attributes(contact)} · ` : ''}first seen ${when(contact.created_at)} · last seen ${when(contact.last_seen_at)}</p>
  </section>
  <section class="card timeline" aria-label="Conversation">
    <h2>Conversation${devices > 1 ? html` <span class="muted">· ${String(devices)} devices</span>` : ''}</h2>
${timeline.map(
  ({ message: m, conversationId, device }) =>
    html`    <div class="msg ${m.author}"${threadStarts.has(m.message_id) ? html` id="conversation-${conversationId}"` : ''} data-message-id="${m.message_id}" data-conversation-id="${conversationId}" data-device="${String(device)}"><small>${m.author === 'operator' ? 'Support' : 'Visitor'} · ${when(m.created_at)} · <span class="device">device ${String(device)}</span></small>${m.text}</div>\n`,
)}${
    replyTo
      ? html`    <form method="post" action="/inbox/conversations/${replyTo.conversationId}/replies">
      <input type="hidden" name="contact" value="${contact.id}">
      <label for="reply" class="muted">Reply (to device ${String(replyTo.device)}; a verified user sees it on every device)</label>
      <textarea id="reply" name="text" required maxlength="10000"></textarea>
      <p><button type="submit">Send reply</button></p>
    </form>\n`
      : html`    <p class="muted">No messages.</p>\n`
  }  </section>
${contact.failed_claims.length ? failedClaims(contact.failed_claims) : ''}
</main>`;
  return layout(title, '', body);
}

const HOUR_MS = 3600_000;
const CHART = { hours: 24, width: 480, height: 120, bar: 16 };
/** Stacked from the bottom: what verified, what came without a claim, what failed. */
const SERIES: Array<[keyof Pick<VerificationTotals, 'anonymous'> | 'verified' | 'failed', string]> = [
  ['verified', 'verified'],
  ['anonymous', 'anonymous'],
  ['failed', 'failed'],
];
const countOf = (totals: VerificationTotals, series: (typeof SERIES)[number][0]) => (series === 'anonymous' ? totals.anonymous : totals[series].total);

/**
 * A widget's last 24 hours as a stacked bar per hour, in SVG attributes only (the inbox's CSP allows no
 * inline style or script); each bar's title gives its numbers.
 */
function healthChart(health: VerificationHealth): Html {
  const byHour = new Map(health.hours.map((hour) => [Date.parse(hour.hour), hour]));
  const last = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const hours = Array.from({ length: CHART.hours }, (_, i) => last - (CHART.hours - 1 - i) * HOUR_MS);
  const highest = Math.max(1, ...health.hours.map((hour) => hour.verified.total + hour.anonymous + hour.failed.total));
  const step = CHART.width / CHART.hours;
  const bars = hours.map((start, i) => {
    const hour = byHour.get(start);
    let top = CHART.height;
    const parts = SERIES.map(([series, kind]) => {
      const count = hour ? countOf(hour, series) : 0;
      const height = (count / highest) * CHART.height;
      top -= height;
      return count
        ? html`<rect class="${kind}" x="${(i * step).toFixed(1)}" y="${top.toFixed(1)}" width="${String(CHART.bar)}" height="${height.toFixed(1)}"></rect>`
        : '';
    });
    const label = `${new Date(start).toISOString().slice(11, 16)} UTC: ${hour ? SERIES.map(([series]) => `${countOf(hour, series)} ${series}`).join(', ') : 'nothing'}`;
    return html`<g data-hour="${new Date(start).toISOString()}"><title>${label}</title>${parts}</g>`;
  });
  return html`<svg class="chart" role="img" aria-label="Claims per hour, last 24 hours" viewBox="0 0 ${String(CHART.width)} ${String(CHART.height)}" width="${String(CHART.width)}" height="${String(CHART.height)}">${bars}</svg>`;
}

function healthTotals(totals: VerificationTotals): Html {
  const versions = totals.verified.by_secret_version.map((v) => `v${v.secret_version}: ${v.count}`).join(', ');
  const reasons = totals.failed.by_reason.map((r) => `${r.reason}: ${r.count}`).join(', ');
  return html`<dl class="totals">
      <dt><span class="key verified"></span>Verified</dt><dd data-total="verified">${String(totals.verified.total)}</dd><dd class="muted">user_hash ${String(totals.verified.user_hash)} · user_jwt ${String(totals.verified.user_jwt)}${versions ? ` · ${versions}` : ''}</dd>
      <dt><span class="key anonymous"></span>Anonymous</dt><dd data-total="anonymous">${String(totals.anonymous)}</dd><dd class="muted">no claim</dd>
      <dt><span class="key failed"></span>Failed</dt><dd data-total="failed">${String(totals.failed.total)}</dd><dd class="muted">${reasons || 'none'}</dd>
    </dl>`;
}

/** Per widget: how much of its traffic verified in the last 24 hours (the rollout: docs/identity-required.md). */
export function healthPage(widgets: Array<{ widget: WidgetListed; health: VerificationHealth }>): Html {
  const body = html`${inboxHeader()}
<main>
  <section class="card"><h1>Verification health</h1><p class="muted">Last 24 hours. Require identity once failures and anonymous chats are gone.</p></section>
${widgets.map(
  ({ widget, health }) => html`  <section class="card" data-widget-id="${widget.id}">
    <h2>${widget.name} <span class="muted">${widget.identity_policy}${widget.identity_required ? ' · identity required' : ''}</span></h2>
    ${healthChart(health)}
    ${healthTotals(health.totals)}
    <p class="muted">Last verified claim: ${health.last_verified_at ? when(health.last_verified_at) : 'none'}</p>
  </section>\n`,
)}</main>`;
  return layout('Verification health', '', body);
}

export function errorPage(status: number, message: string): Html {
  return layout(
    `Error ${status}`,
    '',
    html`${inboxHeader()}<main><section class="card"><h1>Something went wrong</h1><p class="error" role="alert">${message}</p></section></main>`,
  );
}
