import { MESSAGE_AUTHORS, MessageAuthor } from '../events/message-stored.event';
import { Field, NullableField, TimeField } from './field';

// The answers of the widget API, for the gateway's code, its OpenAPI description, and the callers'
// types. test/ops/openapi.test.ts checks real answers against the description (no field missing,
// none undocumented).

export class ErrorDetail {
  @Field({ description: 'stable and machine-readable, e.g. invalid_request, origin_not_allowed, widget_not_found, rate_limited', example: 'invalid_request' })
  code!: string;

  @Field({
    description: 'for people; a 400 names the field first (`field: what is wrong`)',
    example: 'text: text must be longer than or equal to 1 characters',
  })
  message!: string;
}

/** The one error shape of every answer that is not a success. */
export class ErrorAnswer {
  @Field({ type: ErrorDetail })
  error!: ErrorDetail;
}

export class VisitorCreated {
  @Field({ description: 'random, 128 bits or more; stored only hashed; sent with every later call' })
  visitor_token!: string;
}

export class MessageAccepted {
  @Field({ format: 'uuid', description: 'the same for the same client_message_id of the same visitor' })
  message_id!: string;
}

/** `identify` answers 202 with an empty object. */
export class Accepted {}

export class HistoryContact {
  @Field()
  is_verified!: boolean;
}

export class StoredMessage {
  @Field({ format: 'uuid' })
  message_id!: string;

  @Field({ enum: MESSAGE_AUTHORS })
  author!: MessageAuthor;

  @Field()
  text!: string;

  @TimeField()
  created_at!: string;
}

export class History {
  @Field({ type: HistoryContact })
  contact!: HistoryContact;

  @Field({ type: [StoredMessage], description: 'oldest first' })
  messages!: StoredMessage[];

  @NullableField('string', 'pass as `before` for older messages; null at the beginning')
  next_cursor!: string | null;
}

/** The widget API's history: the contacts service's, with the widget's enforce mode for the widget to show. */
export class WidgetHistory extends History {
  @Field({
    description:
      'enforce mode: messages need a claim that verifies (401 identity_required otherwise); the widget shows sign_in_prompt in place of the composer until then',
  })
  identity_required!: boolean;

  @NullableField('string', 'the widget’s sign-in prompt, as its admin set it; null: the widget’s default text')
  sign_in_prompt!: string | null;
}
