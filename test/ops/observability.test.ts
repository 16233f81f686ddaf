/**
 * What operators scrape, read and probe: every service's /metrics after real traffic (a verified
 * message, a failed claim, a fold), the Grafana dashboard's queries against what the services really
 * expose, the correlation id of a widget POST in every service's JSON log, and /health/live and
 * /health/ready while PostgreSQL goes away and comes back.
 */
import { userHash } from '@inviaro/crypto';
import { nth, REPO_ROOT, ServiceName, waitFor, widgetSuite } from '@inviaro/test-harness';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

jest.setTimeout(120_000);

describe('metrics, logs and health on every service', () => {
  const suite = widgetSuite();
  const scraped = {} as Record<ServiceName, string>;
  const credentials: string[] = [];
  let ids: string[];

  beforeAll(async () => {
    const { system, widget, client } = suite;
    const token = await client.newVisitor();
    credentials.push(token, widget.secret, userHash('usr_1', widget.secret), userHash('usr_2', widget.secret));
    ids = [
      (await client.postMessage(token, { client_message_id: 'm-1', text: 'before login' })).body.message_id,
      (await client.postMessage(token, { client_message_id: 'm-2', text: 'wrong hash', user_id: 'usr_1', user_hash: userHash('usr_2', widget.secret) })).body
        .message_id,
      (await client.postMessage(token, { client_message_id: 'm-3', text: 'logged in', user_id: 'usr_1', user_hash: userHash('usr_1', widget.secret) })).body
        .message_id,
    ];
    await waitFor('all three stored', async () =>
      (await system.sql(`SELECT 1 FROM messages WHERE id = ANY($1::uuid[])`, [ids])).length === 3 ? true : undefined,
    );
    for (const service of system.processes) scraped[service.name as ServiceName] = await (await fetch(`${service.url}/metrics`)).text();
  });

  /** The sample's value, or undefined when the series is absent. */
  const sample = (text: string, series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('gateway: HTTP latency by route and status, publish latency', () => {
    expect(sample(scraped.gateway, 'inviaro_http_request_duration_seconds_count{method="POST",route="/v1/widget/messages",status="202"}')).toBe(3);
    expect(sample(scraped.gateway, 'inviaro_publish_seconds_count{subject="message.inbound"}')).toBe(3);
  });

  it('verifier: events by subject and outcome, verification outcomes by reason, consumer pending', () => {
    expect(sample(scraped.verifier, 'inviaro_events_handled_total{subject="message.inbound",outcome="acked"}')).toBe(3);
    expect(sample(scraped.verifier, 'inviaro_claim_checks_total{outcome="verified",reason=""}')).toBe(1);
    expect(sample(scraped.verifier, 'inviaro_claim_checks_total{outcome="failed",reason="mismatch"}')).toBe(1);
    expect(sample(scraped.verifier, 'inviaro_consumer_pending{consumer="verifier_message_inbound",state="pending"}')).toBe(0);
    expect(sample(scraped.verifier, 'inviaro_publish_seconds_count{subject="contact.anonymous"}')).toBe(2);
  });

  it('contacts: events handled, folds, attribution batches', () => {
    expect(sample(scraped.contacts, 'inviaro_events_handled_total{subject="contact.anonymous",outcome="acked"}')).toBe(2);
    expect(sample(scraped.contacts, 'inviaro_events_handled_total{subject="contact.verified",outcome="acked"}')).toBe(1);
    expect(sample(scraped.contacts, 'inviaro_contact_folds_total')).toBe(1);
    expect(sample(scraped.contacts, 'inviaro_attribution_batch_size_sum')).toBe(3);
  });

  it('never labels a series with a user id, a hash or a token', () => {
    for (const text of Object.values(scraped)) {
      expect(text).not.toMatch(/usr_1|usr_2/);
      for (const credential of credentials) expect(text).not.toContain(credential);
    }
  });

  it('logs each widget POST with its correlation id in every service it passes through', () => {
    const logOf = (service: ServiceName) =>
      suite.system.processes
        .find((p) => p.name === service)!
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    const [anonymous, failed, verified] = [nth(ids, 0), nth(ids, 1), nth(ids, 2)];
    const linesAbout = (service: ServiceName, id: string) =>
      logOf(service)
        .filter((line) => line.correlation_id === id)
        .map((line) => [line.msg, line.subject ?? line.route ?? line.reason]);
    for (const id of ids) expect(linesAbout('gateway', id)).toEqual([['request', '/v1/widget/messages']]);
    expect(linesAbout('verifier', anonymous)).toEqual([['event handled', 'message.inbound']]);
    expect(linesAbout('verifier', failed)).toEqual([
      ['identity claim failed', 'mismatch'],
      ['event handled', 'message.inbound'],
    ]);
    expect(linesAbout('verifier', verified)).toEqual([['event handled', 'message.inbound']]);
    expect(linesAbout('contacts', anonymous)).toEqual([['event handled', 'contact.anonymous']]);
    expect(linesAbout('contacts', verified)).toEqual([
      ['anonymous contact folded', undefined],
      ['event handled', 'contact.verified'],
    ]);
    for (const service of ['gateway', 'verifier', 'contacts'] as const) {
      const text = JSON.stringify(logOf(service));
      for (const credential of credentials) expect(text).not.toContain(credential);
    }
  });

  it('the Grafana dashboard asks only for metrics the services expose', () => {
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'docker', 'grafana', 'inviaro-dashboard.json'), 'utf8')) as {
      panels: Array<{ targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    const asked = new Set(
      exprs.flatMap((expr) => [...expr.matchAll(/\b((?:inviaro|process|nodejs)_\w+)/g)].map(([, name = '']) => name.replace(/_(bucket|sum|count)$/, ''))),
    );
    const exposed = new Set(Object.values(scraped).flatMap((text) => [...text.matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1])));
    expect(asked.size).toBeGreaterThanOrEqual(10);
    expect([...asked].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('/health/ready fails naming PostgreSQL while it is away, and passes again when it is back; /health/live holds throughout', async () => {
    const ready = async () => Promise.all(suite.system.processes.map(async (p) => ({ name: p.name, response: await fetch(`${p.url}/health/ready`) })));
    const postgres = suite.system.servers.processes.postgres!;
    await postgres.kill('SIGINT');
    try {
      for (const { name, response } of await ready()) {
        expect([name, response.status]).toEqual([name, 503]);
        const body = (await response.json()) as { checks: Record<string, string> };
        expect(body.checks.nats).toBe('ok');
        expect(body.checks.postgres).not.toBe('ok');
      }
      for (const p of suite.system.processes) expect((await fetch(`${p.url}/health/live`)).status).toBe(200);
    } finally {
      await postgres.start();
    }
    await waitFor('every service ready again', async () => ((await ready()).every(({ response }) => response.status === 200) ? true : undefined), 30_000);
  });
});
