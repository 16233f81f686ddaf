import type {
  ClaimCheckAnswer,
  AdminTokenCreated,
  AdminTokenList,
  AuditEntries,
  AuditEntry,
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
import { Command, Option } from 'commander';
import { parseSince } from '../events/since';
import { jsonLine, printable, table } from '../events/text';
import { AdminApi, AdminOptions, DEFAULT_GATEWAY_URL } from './admin-api';

/** The CLAIMED USER ID cell: the id, or what a row of folded ids stands for. */
function claimedCell(row: VerificationFailure): string {
  if (row.distinct_user_ids !== null) return `(${row.distinct_user_ids} more ids of one visitor)`;
  return row.claimed_user_id === null ? '-' : printable(row.claimed_user_id, 80);
}

/** One audit entry as the cells of `audit list`. */
function auditCells(entry: AuditEntry): string[] {
  return [
    entry.at,
    entry.action,
    entry.outcome,
    `${entry.target.type} ${entry.target.id ?? '-'}`,
    printable(entry.token_name, 40),
    entry.client_address ?? '-',
  ];
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

/** A page as large as the API gives: `failures list` and `audit list` follow `next_cursor` up to `--limit`. */
const PAGE = 200;

/** `--token` and `--gateway` on every admin command. */
export function adminCommand(parent: Command, name: string, description: string): Command {
  return parent
    .command(name)
    .description(description)
    .option('--token <token>', 'an admin token of the workspace (better: INVIARO_ADMIN_TOKEN, which no process list shows)')
    .option('--gateway <url>', `the gateway (INVIARO_GATEWAY_URL, default ${DEFAULT_GATEWAY_URL})`)
    .option('--json', 'JSON for scripts');
}

/** A widget's erasure erases its contacts one by one, each reading the event streams through: it may take minutes. */
const WIDGET_ERASURE_WAIT_MS = 600_000;

export const print = (json: boolean | undefined, value: unknown, human: () => string) => console.log(json ? jsonLine(value) : human());

/** `--json` of a list: one JSON object a line. */
const printLines = (rows: unknown[]) => rows.forEach((row) => console.log(jsonLine(row)));

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

  adminCommand(
    widget,
    'update',
    'renames the widget or replaces its allowed origins; in force on every gateway when this returns (a removed origin is refused)',
  )
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .option('--name <name>', 'the new name')
    .option('--origin <origin...>', 'the new allowed origins, all of them (those left out are refused from then on)')
    .action(async (id: string, options: AdminOptions & { name?: string; origin?: string[]; json?: boolean }) => {
      if (options.name === undefined && options.origin === undefined) throw new Error('widget update: pass --name, --origin or both');
      const updated = await new AdminApi(options).call<WidgetListed>('PATCH', `widgets/${encodeURIComponent(id)}`, {
        ...(options.name !== undefined ? { name: options.name } : {}),
        ...(options.origin !== undefined ? { allowed_origins: options.origin } : {}),
      });
      print(options.json, updated, () => `widget ${id}: ${printable(updated.name, 60)}, allowed origins ${updated.allowed_origins.join(', ')}`);
    });

  adminCommand(widget, 'delete', 'deletes the widget: its key stops working everywhere and its secret is destroyed when this returns; its contacts stay')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .option('--erase', 'erase its contacts first, each as `contact erase` does (docs/security.md#erasure)')
    .action(async (id: string, options: AdminOptions & { erase?: boolean; json?: boolean }) => {
      const path = `widgets/${encodeURIComponent(id)}${options.erase ? '?erase=true' : ''}`;
      await new AdminApi(options).call('DELETE', path, undefined, options.erase ? WIDGET_ERASURE_WAIT_MS : undefined);
      print(
        options.json,
        { widget_id: id, deleted: true, contacts_erased: Boolean(options.erase) },
        () => `widget ${id} deleted: its key no longer works and its secret is destroyed${options.erase ? '; its contacts are erased' : ''}`,
      );
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

  adminCommand(widget, 'check-claim', 'why a user_hash or user_jwt fails: what the verifier decides of it now, with a hint (records nothing)')
    .argument('<widget-id>', 'the widget id (`inviaro widget list`)')
    .option('--user-id <user-id>', 'the user id the page sends (with --hash)')
    .option('--hash <user-hash>', 'the user hash the page sends (with --user-id)')
    .option('--jwt <user-jwt>', 'the user_jwt the page sends, instead of --user-id and --hash')
    .action(async (id: string, options: AdminOptions & { userId?: string; hash?: string; jwt?: string; json?: boolean }) => {
      if (options.jwt === undefined && (options.userId === undefined || options.hash === undefined))
        throw new Error('check-claim: pass --user-id with --hash, or --jwt');
      const claim = options.jwt === undefined ? { user_id: options.userId, user_hash: options.hash } : { user_jwt: options.jwt };
      const answer = await new AdminApi(options).call<ClaimCheckAnswer>('POST', `widgets/${encodeURIComponent(id)}/claim-check`, claim);
      print(options.json, { widget_id: id, ...answer }, () =>
        answer.verdict === 'verified'
          ? `verified (secret version ${answer.secret_version})`
          : [
              `failed: ${answer.reason}`,
              ...(answer.hint ? [`hint: ${answer.hint}`] : []),
              ...(answer.explanation ? [printable(answer.explanation, 500)] : []),
            ].join('\n'),
      );
    });

  const failures = program.command('failures').description('failed identity claims, the support trail (admin API)');
  const failureFilters: ListFilters = {
    widget_id: ['--widget <widget-id>', 'only this widget'],
    user_id: ['--user <user-id>', "only this claimed user id, also where it is folded into a visitor's row"],
    reason: ['--reason <reason>', 'only this reason (mismatch, malformed, missing_hash, stale_secret, jwt_expired, ...)'],
  };
  newestFirstCommand(failures, 'list', 'failed identity claims, newest first (never a user hash or a secret)', failureFilters).action(
    async (options: ListOptions) => {
      const api = new AdminApi(options);
      const { rows, since } = await newestFirst(api, 'verification-failures', options, failureFilters, (page: VerificationFailures) => page.failures);
      if (options.json) return printLines(rows);
      if (rows.length === 0) return console.log('no failed claims' + (since ? ` since ${since.toISOString()}` : ''));
      const { widgets } = await api.call<WidgetList>('GET', 'widgets');
      const names = new Map(widgets.map((w) => [w.id, printable(w.name, 40)]));
      console.log(
        table(
          ['AT', 'WIDGET', 'REASON', 'COUNT', 'CLAIMED USER ID', 'CONVERSATION'],
          rows.map((r) => [r.at, names.get(r.widget_id) ?? r.widget_id, r.reason, String(r.count), claimedCell(r), r.conversation_id ?? '-']),
        ),
      );
    },
  );

  const token = program
    .command('token')
    .description('admin tokens of a workspace: admin (everything) or support (the inbox and failures), through the admin API');
  adminCommand(token, 'create', 'a new admin or support token (shown once)')
    .requiredOption('--name <name>', 'who or what holds it, e.g. "support: Dana"')
    .requiredOption('--role <role>', 'admin or support')
    .action(async (options: AdminOptions & { name: string; role: string; json?: boolean }) => {
      const created = await new AdminApi(options).call<AdminTokenCreated>('POST', 'tokens', { name: options.name, role: options.role });
      print(options.json, created, () => `${created.role} token ${created.id} "${printable(created.name, 60)}" (shown once):\n${created.token}`);
    });
  adminCommand(token, 'list', "the workspace's admin tokens, oldest first (never the token itself)").action(
    async (options: AdminOptions & { json?: boolean }) => {
      const { tokens } = await new AdminApi(options).call<AdminTokenList>('GET', 'tokens');
      if (options.json) return printLines(tokens);
      console.log(
        table(
          ['ID', 'ROLE', 'CREATED', 'LAST USED', 'NAME'],
          tokens.map((t) => [t.id, t.role, t.created_at, t.last_used_at ?? '-', printable(t.name, 60)]),
        ),
      );
    },
  );
  adminCommand(token, 'revoke', 'revokes the token, in force on every gateway when this returns (the last admin token cannot be revoked)')
    .argument('<token-id>', 'the token id (`inviaro token list`)')
    .action(async (id: string, options: AdminOptions & { json?: boolean }) => {
      await new AdminApi(options).call('DELETE', `tokens/${encodeURIComponent(id)}`);
      print(options.json, { token_id: id, revoked: true }, () => `token ${id} revoked: it is refused from now on`);
    });

  const audit = program.command('audit').description('the audit log: who changed what or saw a secret (admin API, admin tokens only)');
  const auditFilters: ListFilters = {
    action: ['--action <action>', 'only this action, e.g. secret.reveal'],
    token_id: ['--by <token-id>', 'only calls of this admin token (`inviaro token list`)'],
    target_id: ['--target <id>', 'only entries about this widget, token or contact id'],
  };
  newestFirstCommand(audit, 'list', 'audit log entries, newest first', auditFilters).action(async (options: ListOptions) => {
    const { rows, since } = await newestFirst(new AdminApi(options), 'audit-log', options, auditFilters, (page: AuditEntries) => page.entries);
    if (options.json) return printLines(rows);
    console.log(
      rows.length === 0
        ? 'no audit entries' + (since ? ` since ${since.toISOString()}` : '')
        : table(['AT', 'ACTION', 'OUTCOME', 'TARGET', 'TOKEN', 'FROM'], rows.map(auditCells)),
    );
  });
}

type ListOptions = AdminOptions & { since?: string; limit: string; json?: boolean; [filter: string]: unknown };

/** A list's filters: each query parameter of the API with the option that sets it (its flags and description). */
type ListFilters = Record<string, [flags: string, description: string]>;

/** A list read newest first: `--since` and `--limit` beside the admin options, then an option for each of its filters. */
function newestFirstCommand(parent: Command, name: string, description: string, filters: ListFilters): Command {
  const command = adminCommand(parent, name, description)
    .option('--since <when>', 'only this recent: a duration (30m, 2h, 7d) or an ISO time')
    .option('--limit <n>', 'at most this many', '50');
  for (const [flags, about] of Object.values(filters)) command.option(flags, about);
  return command;
}

/** Newest first, page by page (`?limit=&cursor=`), until `--limit` rows; `--since` is read here (a duration counts from now) and filtered by the API. */
async function newestFirst<Row>(
  api: AdminApi,
  path: string,
  options: ListOptions,
  filters: ListFilters,
  rowsOf: (page: never) => Row[],
): Promise<{ rows: Row[]; since?: Date }> {
  const since = options.since ? parseSince(options.since) : undefined;
  // Each filter's query parameter, with the value of its option (commander names it after its flags).
  const query: Record<string, unknown> = Object.fromEntries(
    Object.entries(filters).map(([param, [flags]]) => [param, options[new Option(flags).attributeName()]]),
  );
  query.since = since?.toISOString();
  const limit = limitOf(options.limit);
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ limit: String(Math.min(PAGE, limit - rows.length)) });
    for (const [name, value] of Object.entries(query)) if (typeof value === 'string' && value) params.set(name, value);
    if (cursor) params.set('cursor', cursor);
    const page: { next_cursor: string | null } = await api.call('GET', `${path}?${params.toString()}`);
    rows.push(...rowsOf(page as never));
    cursor = page.next_cursor;
  } while (cursor && rows.length < limit);
  return { rows, since };
}

/** `--limit`: a positive whole number. */
function limitOf(text: string): number {
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: expected a positive whole number, not "${printable(text, 20)}"`);
  return limit;
}
