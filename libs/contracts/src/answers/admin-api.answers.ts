import { Field, NullableField, TimeField } from './field';
import { StoredMessage } from './widget-api.answers';

// The answers of the admin API, for the gateway's code, its OpenAPI description, the demo and the
// CLI. test/ops/openapi.test.ts checks real answers against the description (no field missing, none
// undocumented); the contacts service's replies are these shapes (requests/contacts.requests.ts).

export class WidgetCreated {
  @Field({ format: 'uuid' })
  id!: string;

  @Field({ description: 'public: it sits in the customer’s page', example: 'wt_3f9a…' })
  key!: string;

  @Field()
  name!: string;

  @Field({ type: [String], example: ['https://app.example.com'] })
  allowed_origins!: string[];
}

export class WidgetListed extends WidgetCreated {
  @Field({ enum: ['user_hash', 'jwt', 'either'], description: 'which claims verify: a user_hash, a user_jwt, or either (docs/identity-jwt.md)' })
  identity_policy!: string;

  @Field({ description: 'enforce mode: a message or identify without a claim that verifies is refused with 401 identity_required (docs/identity-required.md)' })
  identity_required!: boolean;

  @NullableField('string', 'what the widget shows in place of the composer while identity is required; null: its default text')
  sign_in_prompt!: string | null;

  @TimeField()
  created_at!: string;
}

export class WidgetList {
  @Field({ type: [WidgetListed], description: 'oldest first' })
  widgets!: WidgetListed[];
}

export class WidgetSecret {
  @Field({ description: '64 lowercase hex characters; the HMAC key is this string’s UTF-8 bytes', pattern: '^[0-9a-f]{64}$' })
  widget_secret!: string;
}

export class StagedSecret extends WidgetSecret {
  @Field({ description: 'its version: a user_jwt names it as `kid: "v<version>"`', example: 3 })
  secret_version!: number;
}

export class PreviousSecret {
  @Field({ example: 2 })
  secret_version!: number;

  @Field({ description: 'claims that verified under it in the last hour: retire it once this is 0' })
  claims_last_hour!: number;
}

export class SecretStatus {
  @Field({ description: 'the newest secret’s version (a user_jwt’s `kid` is `v<version>`)', example: 3 })
  secret_version!: number;

  @Field({ type: PreviousSecret, required: false, description: 'the previous secret while a staged rotation keeps it verifying; absent otherwise' })
  previous_secret?: PreviousSecret;
}

export class VerificationFailure {
  @Field({ format: 'uuid' })
  widget_id!: string;

  @NullableField('string', 'the visitor whose claims these were; null on records from before visitors were recorded', 'uuid')
  visitor_id!: string | null;

  @NullableField('string', 'the claimed user id; null when it could not be recorded, and on a row of folded ids')
  claimed_user_id!: string | null;

  @NullableField(
    'integer',
    'on a row of folded ids: how many distinct user ids this visitor claimed with this reason past its first few (which keep rows of their own); null on the row of one claimed id',
  )
  distinct_user_ids!: number | null;

  @Field({ description: 'mismatch, malformed, missing_hash, stale_secret, ...', example: 'mismatch' })
  reason!: string;

  @Field({
    description: 'how often this visitor made this claim with this reason (on a row of folded ids: failed with any of them), from first_at to last_at',
    minimum: 1,
    example: 1,
  })
  count!: number;

  @TimeField()
  first_at!: string;

  @TimeField()
  last_at!: string;

  /** The same as last_at, kept for readers from before repeats were folded. */
  @TimeField()
  at!: string;

  @NullableField(
    'string',
    'the contact the last of these claims’ messages is in now (after any fold); null until it is stored, and for an identify, which has no message',
    'uuid',
  )
  contact_id!: string | null;

  @NullableField('string', 'the conversation that message is in now: where to read what the visitor wrote', 'uuid')
  conversation_id!: string | null;
}

export class VerificationFailures {
  @Field({ type: [VerificationFailure], description: 'newest first' })
  failures!: VerificationFailure[];

  @NullableField('string', 'pass as `cursor` for the next page; null on the last')
  next_cursor!: string | null;
}

export class ContactSummary {
  @Field({ format: 'uuid' })
  id!: string;

  @NullableField('string', 'null for an anonymous contact')
  user_id!: string | null;

  @Field()
  is_verified!: boolean;

  @NullableField('string')
  email!: string | null;

  @Field({
    description: 'true: `email` came signed in a user_jwt; false: self-reported (what the page said). A signed value is never replaced by a self-reported one',
  })
  email_verified!: boolean;

  @NullableField('string')
  name!: string | null;

  @Field({ description: 'true: `name` came signed in a user_jwt; false: self-reported' })
  name_verified!: boolean;

  @TimeField()
  created_at!: string;

  @TimeField()
  last_seen_at!: string;
}

export class Contacts {
  @Field({ type: [ContactSummary] })
  contacts!: ContactSummary[];

  @NullableField('string', 'pass as `cursor` for the next page; null on the last')
  next_cursor!: string | null;
}

/** One thread: a device's conversation with one contact. */
export class ConversationThread {
  @Field({ format: 'uuid' })
  id!: string;

  @Field({ format: 'uuid' })
  widget_id!: string;

  @Field({ format: 'uuid', description: 'the visitor (one browser or device) this thread is with' })
  visitor_id!: string;

  @TimeField()
  created_at!: string;
}

export class Conversation extends ConversationThread {
  @Field({ type: [StoredMessage], description: 'its newest messages (`limit`, default 50), oldest first' })
  messages!: StoredMessage[];

  @NullableField('string', 'pass as `cursor` to GET /v1/admin/conversations/{id}/messages for older messages; null when this is all of them')
  next_cursor!: string | null;
}

/** A page of one conversation's messages, going back in time. */
export class ConversationMessages {
  @Field({ type: [StoredMessage], description: 'oldest first' })
  messages!: StoredMessage[];

  @NullableField('string', 'pass as `cursor` for older messages; null at the beginning')
  next_cursor!: string | null;
}

export class ContactDetail extends ContactSummary {
  @Field({ type: [Conversation] })
  conversations!: Conversation[];
}

export class ContactWithFailedClaims extends ContactDetail {
  @Field({
    type: [VerificationFailure],
    description: 'the failed identity claims of this contact’s visitors (its conversations’ devices), newest first, at most 100',
  })
  failed_claims!: VerificationFailure[];
}

/** `POST /v1/admin/widgets/{id}/claim-check`: what the verifier decides of a claim now, and why it fails where that can be told. */
export class ClaimCheckAnswer {
  @Field({ enum: ['verified', 'failed'] })
  verdict!: 'verified' | 'failed';

  @NullableField('string', 'why it failed, as a failure record would say (mismatch, stale_secret, jwt_expired, ...); null when verified')
  reason!: string | null;

  @NullableField(
    'string',
    'what most likely went wrong, where it can be told: hex_decoded_key (the digest was made with the secret’s hex-decoded bytes, not its text), whitespace_in_user_id, previous_secret (made with the secret of `secret_version`, rotated away), or for a token the check it fails (jwt_algorithm, jwt_unknown_key, jwt_expired, jwt_not_yet_valid, jwt_lifetime, jwt_audience, jwt_signature, jwt_malformed)',
  )
  hint!: string | null;

  @NullableField('string', 'the hint in words (for a token: its algorithm, key id, times against the server’s clock, audience); never the hash or the token')
  explanation!: string | null;

  @NullableField('integer', 'verified: the secret version it verified under; hint previous_secret: the version it was made with')
  secret_version!: number | null;
}

export class ReplyStored {
  @Field({ format: 'uuid' })
  message_id!: string;
}

// Admin tokens (issue 24): made, listed and revoked through the admin API by an admin token.

export class AdminTokenListed {
  @Field({ format: 'uuid' })
  id!: string;

  @Field({ description: 'who or what holds it, e.g. "support: Dana"' })
  name!: string;

  @Field({ enum: ['admin', 'support'], description: 'admin: every route; support: reads contacts, conversations and failures, and replies' })
  role!: string;

  @TimeField()
  created_at!: string;

  @NullableField('string', 'its last call, to the minute; null if never used', 'date-time')
  last_used_at!: string | null;
}

export class AdminTokenCreated {
  @Field({ format: 'uuid' })
  id!: string;

  @Field()
  name!: string;

  @Field({ enum: ['admin', 'support'] })
  role!: string;

  @Field({ description: 'the bearer token, shown this once; only its hash is kept', example: 'at_…' })
  token!: string;
}

export class AdminTokenList {
  @Field({ type: [AdminTokenListed], description: 'oldest first; never the token itself' })
  tokens!: AdminTokenListed[];
}

// The audit log (issue 24): who changed what or saw a secret, from where, and how it ended.

export class AuditTarget {
  @Field({ enum: ['widget', 'token', 'contact'] })
  type!: string;

  @NullableField('string', 'the id of the widget, token or contact, as the call named it')
  id!: string | null;
}

export class AuditEntry {
  @Field({ format: 'uuid' })
  id!: string;

  @TimeField()
  at!: string;

  @Field({ description: 'widget.create, secret.reveal, token.revoke, ... (docs/security.md#the-audit-log)', example: 'secret.rotate' })
  action!: string;

  @Field({ format: 'uuid', description: 'the admin token that called (it may since have been revoked)' })
  token_id!: string;

  @Field({ description: 'that token’s name when it called' })
  token_name!: string;

  @NullableField('string', 'the caller’s address, as the gateway saw it (TRUST_PROXY decides whether a proxy’s header counts)')
  client_address!: string | null;

  @Field({ type: AuditTarget })
  target!: AuditTarget;

  @Field({ description: '`ok`, or the error code the caller got (e.g. `forbidden`, `secret_already_revealed`)', example: 'ok' })
  outcome!: string;

  @Field({ description: 'the HTTP status of the answer', example: 200 })
  status!: number;
}

export class AuditEntries {
  @Field({ type: [AuditEntry], description: 'newest first' })
  entries!: AuditEntry[];

  @NullableField('string', 'pass as `cursor` for the next page; null on the last')
  next_cursor!: string | null;
}

/** What an erasure removed (docs/security.md#erasure), counted. */
export class ErasedCounts {
  @Field({ type: 'integer', description: 'the contact and the anonymous contacts folded into it' })
  contacts!: number;

  @Field({ type: 'integer' })
  conversations!: number;

  @Field({ type: 'integer', description: 'the visitors’ messages and the operators’ replies' })
  messages!: number;

  @Field({ type: 'integer', description: 'attribution timeline rows: every event that counted for these contacts, with the attributes it carried' })
  timeline_events!: number;

  @Field({ type: 'integer', description: 'failure records of the erased user id' })
  failure_records!: number;

  @Field({ type: 'integer', description: 'events removed from the event streams’ retention (and erased on disk)' })
  stream_events!: number;
}

export class Erasure {
  @Field({ type: ErasedCounts })
  erased!: ErasedCounts;
}

/** A device that chatted as the contact (or as a contact folded into it). */
export class ExportedVisitor {
  @Field({ format: 'uuid' })
  id!: string;

  @Field({ format: 'uuid' })
  widget_id!: string;

  @TimeField()
  created_at!: string;

  @NullableField('string', 'when its token was ended by a logout', 'date-time')
  logged_out_at!: string | null;
}

export class ExportedConversation extends ConversationThread {
  @Field({ type: [StoredMessage], description: 'every message, oldest first' })
  messages!: StoredMessage[];
}

/** One event that counted for the contact: the attribution timeline, with the attributes each anonymous event carried (their history). */
export class TimelineEvent {
  @Field({ format: 'uuid', description: 'the message’s id, or an identify call’s' })
  message_id!: string;

  @Field({ format: 'uuid' })
  visitor_id!: string;

  @TimeField('when the gateway received it')
  received_at!: string;

  @NullableField('string', 'the verified user id; null for an anonymous event')
  user_id!: string | null;

  @NullableField('string', 'the email an anonymous event gave')
  email!: string | null;

  @NullableField('string', 'the name an anonymous event gave')
  name!: string | null;
}

/** What the contacts service holds about a contact (everything of the export but the verifier's failure records). */
export class ContactHeld {
  @Field({ type: ContactSummary, description: 'the contact, with its current attributes' })
  contact!: ContactSummary;

  @Field({ type: [ContactSummary], description: 'the anonymous contacts folded into it' })
  merged_contacts!: ContactSummary[];

  @Field({ type: [ExportedVisitor] })
  visitors!: ExportedVisitor[];

  @Field({ type: [ExportedConversation] })
  conversations!: ExportedConversation[];

  @Field({ type: [TimelineEvent] })
  timeline!: TimelineEvent[];
}

/** `GET /v1/admin/contacts/{id}/export`: everything held about a contact (right of access). */
export class ContactExport extends ContactHeld {
  @Field({ type: [VerificationFailure], description: 'failure records of the contact’s user id' })
  failures!: VerificationFailure[];

  @TimeField()
  exported_at!: string;
}

export class SecretVersionCount {
  @Field({ type: 'integer', example: 3 })
  secret_version!: number;

  @Field({ type: 'integer' })
  count!: number;
}

export class VerifiedCounts {
  @Field({ type: 'integer', description: 'claims that verified' })
  total!: number;

  @Field({ type: 'integer', description: 'of them, by a user_id with its user_hash' })
  user_hash!: number;

  @Field({ type: 'integer', description: 'of them, by a user_jwt' })
  user_jwt!: number;

  @Field({ type: [SecretVersionCount], description: 'by the secret version they verified under, newest first: retire a staged secret once its count stays 0' })
  by_secret_version!: SecretVersionCount[];
}

export class ReasonCount {
  @Field({ description: 'as in the failure records, e.g. mismatch, stale_secret, jwt_expired' })
  reason!: string;

  @Field({ type: 'integer' })
  count!: number;
}

export class FailedCounts {
  @Field({ type: 'integer', description: 'claims that failed (the events went on anonymously)' })
  total!: number;

  @Field({ type: [ReasonCount], description: 'by reason, most frequent first' })
  by_reason!: ReasonCount[];
}

export class VerificationTotals {
  @Field({ type: VerifiedCounts })
  verified!: VerifiedCounts;

  @Field({ type: 'integer', description: 'events (messages and identifies) that carried no claim' })
  anonymous!: number;

  @Field({ type: FailedCounts })
  failed!: FailedCounts;
}

export class VerificationHour extends VerificationTotals {
  @TimeField('the hour’s start (UTC)')
  hour!: string;
}

export class VerificationHealth {
  @Field({ format: 'uuid' })
  widget_id!: string;

  @TimeField('the start of the window (`?since=`, from the start of its first hour)')
  since!: string;

  @Field({ type: VerificationTotals, description: 'every event the verifier decided in the window' })
  totals!: VerificationTotals;

  @Field({ type: [VerificationHour], description: 'the same per hour, oldest first; hours without an event are left out' })
  hours!: VerificationHour[];

  @NullableField('string', 'the last claim of this widget that verified (within the retention period); null if none', 'date-time')
  last_verified_at!: string | null;
}
