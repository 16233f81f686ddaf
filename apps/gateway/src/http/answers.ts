import { MESSAGE_AUTHORS } from '@inviaro/contracts';
import { ApiProperty } from '@nestjs/swagger';

// The shapes of the gateway's answers, for its OpenAPI description. test/ops/openapi.test.ts checks
// real answers against them (no field missing, none undocumented), so they cannot drift from the code.

const nullable = (type: 'string' | 'integer', description?: string, format?: string) => ApiProperty({ type, nullable: true, description, format });
const time = (description?: string) => ApiProperty({ type: 'string', format: 'date-time', description });

export class ErrorDetail {
  @ApiProperty({ description: 'stable and machine-readable, e.g. invalid_request, origin_not_allowed, widget_not_found, rate_limited', example: 'invalid_request' })
  code!: string;

  @ApiProperty({ description: 'for people; a 400 names the field first (`field: what is wrong`)', example: 'text: text must be longer than or equal to 1 characters' })
  message!: string;
}

/** The one error shape of every answer that is not a success. */
export class ErrorAnswer {
  @ApiProperty({ type: ErrorDetail })
  error!: ErrorDetail;
}

export class VisitorCreated {
  @ApiProperty({ description: 'random, 128 bits or more; stored only hashed; sent with every later call' })
  visitor_token!: string;
}

export class MessageAccepted {
  @ApiProperty({ format: 'uuid', description: 'the same for the same client_message_id of the same visitor' })
  message_id!: string;
}

/** `identify` answers 202 with an empty object. */
export class Accepted {}

export class HistoryContact {
  @ApiProperty()
  is_verified!: boolean;
}

export class StoredMessage {
  @ApiProperty({ format: 'uuid' })
  message_id!: string;

  @ApiProperty({ enum: MESSAGE_AUTHORS })
  author!: string;

  @ApiProperty()
  text!: string;

  @time()
  created_at!: string;
}

export class History {
  @ApiProperty({ type: HistoryContact })
  contact!: HistoryContact;

  @ApiProperty({ type: [StoredMessage], description: 'oldest first' })
  messages!: StoredMessage[];

  @nullable('string', 'pass as `before` for older messages; null at the beginning')
  next_cursor!: string | null;
}

export class WidgetCreated {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'public: it sits in the customer’s page', example: 'wt_3f9a…' })
  key!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: [String], example: ['https://app.example.com'] })
  allowed_origins!: string[];
}

export class WidgetListed extends WidgetCreated {
  @ApiProperty({ enum: ['user_hash', 'jwt', 'either'], description: 'which claims verify: a user_hash, a user_jwt, or either (docs/identity-jwt.md)' })
  identity_policy!: string;

  @time()
  created_at!: string;
}

export class WidgetList {
  @ApiProperty({ type: [WidgetListed], description: 'oldest first' })
  widgets!: WidgetListed[];
}

export class WidgetSecret {
  @ApiProperty({ description: '64 lowercase hex characters; the HMAC key is this string’s UTF-8 bytes', pattern: '^[0-9a-f]{64}$' })
  widget_secret!: string;
}

export class StagedSecret extends WidgetSecret {
  @ApiProperty({ description: 'its version: a user_jwt names it as `kid: "v<version>"`', example: 3 })
  secret_version!: number;
}

export class PreviousSecret {
  @ApiProperty({ example: 2 })
  secret_version!: number;

  @ApiProperty({ description: 'claims that verified under it in the last hour: retire it once this is 0' })
  claims_last_hour!: number;
}

export class SecretStatus {
  @ApiProperty({ description: 'the newest secret’s version (a user_jwt’s `kid` is `v<version>`)', example: 3 })
  secret_version!: number;

  @ApiProperty({ type: PreviousSecret, required: false, description: 'the previous secret while a staged rotation keeps it verifying; absent otherwise' })
  previous_secret?: PreviousSecret;
}

export class VerificationFailure {
  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @nullable('string', 'the visitor whose claims these were; null on records from before visitors were recorded', 'uuid')
  visitor_id!: string | null;

  @nullable('string', 'the claimed user id; null when it could not be recorded, and on a row of folded ids')
  claimed_user_id!: string | null;

  @nullable('integer', 'on a row of folded ids: how many distinct user ids this visitor claimed with this reason past its first few (which keep rows of their own); null on the row of one claimed id')
  distinct_user_ids!: number | null;

  @ApiProperty({ description: 'mismatch, malformed, missing_hash, stale_secret, ...', example: 'mismatch' })
  reason!: string;

  @ApiProperty({ description: 'how often this visitor made this claim with this reason (on a row of folded ids: failed with any of them), from first_at to last_at', minimum: 1, example: 1 })
  count!: number;

  @time()
  first_at!: string;

  @time()
  last_at!: string;

  /** The same as last_at, kept for readers from before repeats were folded. */
  @time()
  at!: string;
}

export class VerificationFailures {
  @ApiProperty({ type: [VerificationFailure], description: 'newest first' })
  failures!: VerificationFailure[];

  @nullable('string', 'pass as `cursor` for the next page; null on the last')
  next_cursor!: string | null;
}

export class ContactSummary {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @nullable('string', 'null for an anonymous contact')
  user_id!: string | null;

  @ApiProperty()
  is_verified!: boolean;

  @nullable('string')
  email!: string | null;

  @ApiProperty({ description: 'true: `email` came signed in a user_jwt; false: self-reported (what the page said). A signed value is never replaced by a self-reported one' })
  email_verified!: boolean;

  @nullable('string')
  name!: string | null;

  @ApiProperty({ description: 'true: `name` came signed in a user_jwt; false: self-reported' })
  name_verified!: boolean;

  @time()
  created_at!: string;

  @time()
  last_seen_at!: string;
}

export class Contacts {
  @ApiProperty({ type: [ContactSummary] })
  contacts!: ContactSummary[];

  @nullable('string', 'pass as `cursor` for the next page; null on the last')
  next_cursor!: string | null;
}

export class Conversation {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @time()
  created_at!: string;

  @ApiProperty({ type: [StoredMessage] })
  messages!: StoredMessage[];
}

export class ContactDetail extends ContactSummary {
  @ApiProperty({ type: [Conversation] })
  conversations!: Conversation[];
}

export class ReplyStored {
  @ApiProperty({ format: 'uuid' })
  message_id!: string;
}
