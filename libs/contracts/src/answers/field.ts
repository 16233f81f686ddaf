/** An answer class: the type of a field that holds another answer. */
export type AnswerClass = abstract new (...args: never[]) => object;

/**
 * What the OpenAPI description says of one field of an answer (the options of @nestjs/swagger's
 * `ApiProperty`). Kept here as data, so that the contracts load no HTTP framework; the gateway
 * applies it when it builds its document (apps/gateway/src/openapi/openapi.ts).
 */
export interface FieldDescription {
  /** Read from the field's declared type where absent. */
  type?: 'string' | 'integer' | AnswerClass | [AnswerClass] | [StringConstructor];
  format?: string;
  description?: string;
  example?: unknown;
  enum?: readonly string[];
  pattern?: string;
  minimum?: number;
  nullable?: boolean;
  required?: boolean;
}

export interface DescribedField {
  answer: AnswerClass;
  property: string;
  description: FieldDescription;
}

/** In declaration order: a class's fields in order, and a class before those that extend it. */
const DESCRIBED: DescribedField[] = [];

/** A field of an answer of the widget or admin API, with what its description says of it. */
export function Field(description: FieldDescription = {}): PropertyDecorator {
  return (prototype, property) => {
    DESCRIBED.push({ answer: prototype.constructor as AnswerClass, property: String(property), description });
  };
}

/** A field that may be null. */
export const NullableField = (type: 'string' | 'integer', description?: string, format?: string) => Field({ type, nullable: true, description, format });

/** A point in time, as an ISO 8601 string. */
export const TimeField = (description?: string) => Field({ type: 'string', format: 'date-time', description });

/** Every described field of every answer class loaded, in declaration order. */
export function describedFields(): readonly DescribedField[] {
  return DESCRIBED;
}
