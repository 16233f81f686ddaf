import { SecretsConfig } from './secrets.config';
import { IntSetting, ReadBy, Setting } from './setting';
import { Matches } from 'class-validator';

@ReadBy('gateway')
export class GatewayConfig extends SecretsConfig {
  /** Widget API calls per minute from one client address, counted before anything else is checked. */
  @IntSetting(
    1,
    10_000_000,
    'widget API calls per minute from one client address, counted before anything is checked; then 429 with `Retry-After` ([abuse limits](docs/security.md#abuse-limits))',
  )
  RATE_LIMIT_ADDRESS_PER_MINUTE: number = 1_200;

  /** Visitors created per minute from one client address. */
  @IntSetting(1, 1_000_000, 'visitors created per minute from one client address')
  RATE_LIMIT_NEW_VISITORS_PER_MINUTE: number = 120;

  /** Widget API calls per minute for one widget, all its visitors together (only calls whose key and origin check out). */
  @IntSetting(1, 10_000_000, 'widget API calls per minute for one widget (all its visitors), counted once key and origin check out')
  RATE_LIMIT_WIDGET_PER_MINUTE: number = 12_000;

  /** Widget API calls per minute for one visitor (only calls whose token checks out). */
  @IntSetting(1, 1_000_000, 'widget API calls per minute for one visitor, counted once its token checks out')
  RATE_LIMIT_VISITOR_PER_MINUTE: number = 120;

  /** Failed admin authentications (401) per minute from one client address; past it 429, and that address's tokens are not looked up. */
  @IntSetting(
    1,
    1_000_000,
    'failed admin authentications (401) per minute from one client address; then 429 with `Retry-After` for every admin call from it, before its token is looked up ([abuse limits](docs/security.md#abuse-limits))',
  )
  RATE_LIMIT_ADMIN_FAILURES_PER_MINUTE: number = 60;

  /**
   * Which proxies in front of the gateway are believed about the client's address (X-Forwarded-For):
   * `false` (none: the peer of the socket is the client), a number of hops, or a comma-separated list
   * of addresses, CIDRs or `loopback` / `linklocal` / `uniquelocal`. Never "all": a client could then pick its address.
   */
  @Matches(
    /^(false|\d{1,2}|(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)(\s*,\s*(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?))*)$/,
    {
      message: 'TRUST_PROXY must be false, a hop count, or a comma-separated list of addresses/CIDRs (loopback, linklocal, uniquelocal allowed)',
    },
  )
  @Setting("which proxies are believed about the client's address (`X-Forwarded-For`): `false`, a hop count, or addresses/CIDRs")
  TRUST_PROXY: string = 'false';

  /** How long repeats of one refusal (client address and error code) are counted into one log line after the first, logged whole. */
  @IntSetting(
    1,
    3600,
    'refused widget calls (4xx): the first of a client address and error code is logged with its widget key, origin and address; its repeats for this many seconds are one line with their count ([operations](docs/operations.md#refused-widget-calls-in-the-log))',
  )
  REFUSAL_LOG_SECONDS: number = 60;

  /** Live streams one visitor may hold open on one gateway instance at once (429 past it). */
  @IntSetting(1, 100, 'live streams one visitor may hold open on one gateway instance; then 429 `too_many_streams`')
  LIVE_STREAMS_PER_VISITOR: number = 3;

  /**
   * Live streams one client address (an IPv6 /64) may hold open on one gateway instance at once (429
   * past it): new visitors are cheap, so the per-visitor cap alone does not bound what an address holds.
   */
  @IntSetting(
    1,
    100_000,
    'live streams one client address (an IPv6 /64) may hold open on one gateway instance, whatever visitors they are for; then 429 `too_many_streams` ([limits](docs/security.md#live-stream-limits))',
  )
  LIVE_STREAMS_PER_ADDRESS: number = 50;

  /** Seconds a live stream lasts at most; then the gateway ends it and the widget reconnects and catches up. */
  @IntSetting(1, 86_400, 'a live stream ends after at most this long (90–100% of it, spread); the widget reconnects and catches up from history')
  LIVE_STREAM_MAX_SECONDS: number = 3_600;

  /** Messages one instance accepted and has not yet seen stored; past it, the widget calls that add to them answer 503 (docs/operations.md#bounded-backlog). */
  @IntSetting(
    1,
    10_000_000,
    'messages one gateway instance has accepted (202) and not yet seen stored; past it `messages` and `identify` answer 503 `backlog_full` with `Retry-After` ([bounded backlog](docs/operations.md#bounded-backlog))',
  )
  INBOUND_BACKLOG_LIMIT: number = 5_000;

  /** Seconds a live stream's reader may take nothing while messages wait before the stream is closed. */
  @IntSetting(1, 600, 'a live stream whose reader takes nothing this long while messages wait is closed')
  LIVE_STREAM_BACKPRESSURE_SECONDS: number = 10;

  /** Days an audit log entry is kept; prune_audit_log refuses fewer than 30, so no gateway can empty the log. */
  @IntSetting(30, 36_500, 'days an entry of the admin audit log is kept ([audit log](docs/security.md#the-audit-log))')
  AUDIT_RETENTION_DAYS: number = 400;
}
