import type {
  SecretStatus,
  StagedSecret,
  VerificationFailure,
  VerificationFailures,
  VerificationHealth,
  VerificationTotals,
  WidgetCreated,
  WidgetList,
  WidgetListed,
  WidgetSecret,
} from '@inviaro/contracts';
import { Command } from 'commander';
import { parseSince } from '../events/since';
import { jsonLine, printable, table } from '../events/text';
import { AdminApi, AdminOptions, DEFAULT_GATEWAY_URL } from './admin-api';

/** The CLAIMED USER ID cell: the id, or what a row of folded ids stands for. */
function claimedCell(row: VerificationFailure): string {
  if (row.distinct_user_ids !== null) return `(${row.distinct_user_ids} more ids of one visitor)`;
  return row.claimed_user_id === null ? '-' : printable(row.claimed_user_id, 80);
}

/** A count and its parts, e.g. `3 (mismatch 2, missing_hash 1)`. */
const withParts = (total: number, parts: string[]) => (parts.length ? `${total} (${parts.join(', ')})` : String(total));
const verifiedCell = (t: VerificationTotals) =>
  withParts(
    t.verified.total,
    t.verified.total
      ? [`hash ${t.verified.user_hash}`, `jwt ${t.verified.user_jwt}`, ...t.verified.by_secret_version.map((v) => `v${v.secret_version} ${v.count}`)]
      : [],
  );
const failedCell = (t: VerificationTotals) =>
  withParts(
    t.failed.total,
    t.failed.by_reason.map((r) => `${printable(r.reason, 40)} ${r.count}`),
  );

/** `widget health` as people read it: the totals, then one row per hour with events. */
function healthTable(health: VerificationHealth): string {
  const rows = [
    ...health.hours.map((h) => [h.hour, verifiedCell(h), String(h.anonymous), failedCell(h)]),
    ['TOTAL', verifiedCell(health.totals), String(health.totals.anonymous), failedCell(health.totals)],
  ];
  return [
    `widget ${health.widget_id} since ${health.since}; last verified claim ${health.last_verified_at ?? 'never (within the retention period)'}`,
    table(['HOUR (UTC)', 'VERIFIED', 'ANONYMOUS', 'FAILED'], rows),
  ].join('\n');
}

/** A page as large as the API gives: `failures list` follows `next_cursor` up to `--limit`. */
const FAILURE_PAGE = 200;

/** `--token` and `--gateway` on every admin command. */
function adminCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--token <token>', 'an admin token of the workspace (better: INVIARO_ADMIN_TOKEN, which no process list shows)')
    .option('--gateway <url>', `the gateway (INVIARO_GATEWAY_URL, default ${DEFAULT_GATEWAY_URL})`)
    .option('--json', 'JSON for scripts');
}

const print = (json: boolean | undefined, value: unknown, human: () => string) => console.log(json ? jsonLine(value) : human());

/** `inviaro widget ...` and `inviaro failures ...`: what operators and support do through the admin API. */
export function registerAdminCommands(program: Command): void {
  const widget = program.command('widget').description('widgets of a workspace, through the admin API (INVIARO_ADMIN_TOKEN, INVIARO_GATEWAY_URL)');

  adminCommand(widget, 'create', 'create a widget and reveal its secret (shown once: put it on your server, never in a page)')
    .requiredOption('--name <name>', 'the widget name')
    .requiredOption('--origin <origin...>', 'origins the widget may be called from, e.g. https://app.example.com')
    .action(async (options: AdminOptions & { name: string; origin: string[]; json?: boolean }) => {
      const api = new AdminApi(options);
      const created = await api.call<WidgetCreated>('POST', 'widgets', { name: options.name, allowed_origins: options.origin });
      const { widget_secret } = await api.call<WidgetSecret>('POST', `widgets/${created.id}/secret/reveal`);
      print(options.json, { ...created, widget_secret }, () =>
        [
          `widget ${created.id}`,
          `key                   ${created.key}`,
          `allowed origins       ${created.allowed_origins.join(', ')}`,
          `secret (shown once)   ${widget_secret}`,
        ].join('\n'),
      );
    });

  adminCommand(widget, 'list', "the workspace's widgets, oldest first").action(async (options: AdminOptions & { json?: boolean }) => {
    const { widgets } = await new AdminApi(options).call<WidgetList>('GET', 'widgets');
    print(options.json, { widgets }, () =>
      widgets.length === 0
        ? 'no widgets yet: `inviaro widget create --name NAME --origin https://...`'
        : table(
            ['ID', 'KEY', 'NAME', 'CREATED', 'ALLOWED ORIGINS'],
            widgets.map((w) => [w.id, w.key, printable(w.name, 60), w.created_at, w.allowed_origins.join(', ')]),
          ),
    );
  });

  adminCommand(widget, 'rotate-secret', 'a new secret for the widget, in force when this returns (every old user hash fails from then on); shown once')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .action(async (id: string, options: AdminOptions & { json?: boolean }) => {
      const { widget_secret } = await new AdminApi(options).call<WidgetSecret>('POST', `widgets/${encodeURIComponent(id)}/secret/rotate`);
      print(options.json, { widget_id: id, widget_secret }, () => `new secret of widget ${id} (shown once; the old one no longer verifies):\n${widget_secret}`);
    });

  adminCommand(widget, 'set-policy', 'which claims verify: user_hash (the default), jwt, or either (docs/identity-jwt.md); in force when this returns')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .argument('<policy>', 'user_hash, jwt or either')
    .action(async (id: string, policy: string, options: AdminOptions & { json?: boolean }) => {
      const updated = await new AdminApi(options).call<WidgetListed>('PATCH', `widgets/${encodeURIComponent(id)}`, { identity_policy: policy });
      print(options.json, updated, () => `identity policy of widget ${id}: ${updated.identity_policy}`);
    });

  adminCommand(widget, 'stage-secret', 'the next secret, verifying beside the current one until retire-secret (a planned rotation); shown once')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .action(async (id: string, options: AdminOptions & { json?: boolean }) => {
      const staged = await new AdminApi(options).call<StagedSecret>('POST', `widgets/${encodeURIComponent(id)}/secret/stage`);
      print(
        options.json,
        { widget_id: id, ...staged },
        () =>
          `next secret of widget ${id}, version ${staged.secret_version} (kid "v${staged.secret_version}"; shown once; the current one verifies until retire-secret):\n${staged.widget_secret}`,
      );
    });

  adminCommand(widget, 'secret-status', 'the secret version, and how many claims of the last hour still used the previous secret while it is live')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .action(async (id: string, options: AdminOptions & { json?: boolean }) => {
      const status = await new AdminApi(options).call<SecretStatus>('GET', `widgets/${encodeURIComponent(id)}/secret`);
      const previous = status.previous_secret;
      print(options.json, { widget_id: id, ...status }, () =>
        previous
          ? `widget ${id}: secret version ${status.secret_version}; version ${previous.secret_version} still verifies, used by ${previous.claims_last_hour} claims in the last hour (retire it once that is 0)`
          : `widget ${id}: secret version ${status.secret_version}; no previous secret verifies`,
      );
    });

  adminCommand(
    widget,
    'health',
    'how much of the widget’s traffic verifies: verified (by claim kind and secret version), anonymous and failed (by reason), per hour',
  )
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .option('--since <window>', 'hours or days back, e.g. 24h or 7d', '24h')
    .action(async (id: string, options: AdminOptions & { since: string; json?: boolean }) => {
      const health = await new AdminApi(options).call<VerificationHealth>(
        'GET',
        `widgets/${encodeURIComponent(id)}/verification?since=${encodeURIComponent(options.since)}`,
      );
      print(options.json, health, () => healthTable(health));
    });

  adminCommand(
    widget,
    'retire-secret',
    'ends the previous secret of a staged rotation, in force when this returns (its hashes and tokens fail, its live streams end)',
  )
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .action(async (id: string, options: AdminOptions & { json?: boolean }) => {
      const status = await new AdminApi(options).call<SecretStatus>('POST', `widgets/${encodeURIComponent(id)}/secret/retire`);
      print(options.json, { widget_id: id, ...status }, () => `widget ${id}: only secret version ${status.secret_version} verifies now`);
    });

  const failures = program.command('failures').description('failed identity claims, the support trail (admin API)');
  adminCommand(failures, 'list', 'failed identity claims, newest first (never a user hash or a secret)')
    .option('--widget <widget-id>', 'only this widget')
    .option('--user <user-id>', "only this claimed user id, also where it is folded into a visitor's row")
    .option('--since <when>', 'only this recent: a duration (30m, 2h, 7d) or an ISO time')
    .option('--limit <n>', 'at most this many', '50')
    .action(async (options: AdminOptions & { widget?: string; user?: string; since?: string; limit: string; json?: boolean }) => {
      const since = options.since ? parseSince(options.since) : undefined;
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: expected a positive whole number, not "${printable(options.limit, 20)}"`);
      const rows = await listFailures(new AdminApi(options), { widgetId: options.widget, userId: options.user, since, limit });
      if (options.json) {
        for (const row of rows) console.log(jsonLine(row));
        return;
      }
      console.log(
        rows.length === 0
          ? 'no failed claims' + (since ? ` since ${since.toISOString()}` : '')
          : table(
              ['AT', 'WIDGET', 'REASON', 'COUNT', 'CLAIMED USER ID'],
              rows.map((r) => [r.at, r.widget_id, r.reason, String(r.count), claimedCell(r)]),
            ),
      );
    });
}

/** Newest first, page by page, until `limit` rows or the first one older than `since`. */
async function listFailures(api: AdminApi, query: { widgetId?: string; userId?: string; since?: Date; limit: number }): Promise<VerificationFailure[]> {
  const rows: VerificationFailure[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ limit: String(Math.min(FAILURE_PAGE, query.limit - rows.length)) });
    if (query.widgetId) params.set('widget_id', query.widgetId);
    if (query.userId) params.set('user_id', query.userId);
    if (cursor) params.set('cursor', cursor);
    const page: VerificationFailures = await api.call('GET', `verification-failures?${params.toString()}`);
    for (const row of page.failures) {
      if (query.since && new Date(row.at) < query.since) return rows;
      rows.push(row);
    }
    cursor = page.next_cursor;
  } while (cursor && rows.length < query.limit);
  return rows;
}
