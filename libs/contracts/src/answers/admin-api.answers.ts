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

export class Conversation {
  @Field({ format: 'uuid' })
  id!: string;

  @Field({ format: 'uuid' })
  widget_id!: string;

  @TimeField()
  created_at!: string;

  @Field({ type: [StoredMessage] })
  messages!: StoredMessage[];
}

export class ContactDetail extends ContactSummary {
  @Field({ type: [Conversation] })
  conversations!: Conversation[];
}

export class ReplyStored {
  @Field({ format: 'uuid' })
  message_id!: string;
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
