import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

type Schema = Record<string, unknown>;

/**
 * The request classes say what they accept with class-validator decorators; this reads those
 * into the OpenAPI description, so that a new limit in a DTO is documented without a second
 * decorator that could drift. Validators it does not know add nothing (the description is then
 * less precise, never wrong).
 */
const FROM_VALIDATOR: Record<string, (constraints: unknown[]) => Schema> = {
  isString: () => ({ type: 'string' }),
  isLength: ([min, max]) => ({ minLength: min, ...(max !== undefined ? { maxLength: max } : {}) }),
  minLength: ([min]) => ({ minLength: min }),
  maxLength: ([max]) => ({ maxLength: max }),
  matches: ([pattern]) => ({ type: 'string', pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
  isInt: () => ({ type: 'integer' }),
  isNumber: () => ({ type: 'number' }),
  min: ([min]) => ({ minimum: min }),
  max: ([max]) => ({ maximum: max }),
  isBoolean: () => ({ type: 'boolean' }),
  isUuid: () => ({ type: 'string', format: 'uuid' }),
  isEmail: () => ({ type: 'string', format: 'email' }),
  isIn: ([values]) => ({ enum: values }),
  isArray: () => ({ type: 'array' }),
  arrayMinSize: ([min]) => ({ minItems: min }),
  arrayMaxSize: ([max]) => ({ maxItems: max }),
};

/** Adds the OpenAPI property of every field a class validates itself; describe its parents first (their properties are copied then). */
export function describeFromValidators(cls: new () => object): void {
  const own = getMetadataStorage()
    .getTargetValidationMetadatas(cls, '', true, false)
    .filter((m) => m.target === cls);
  const defaults = new cls() as Record<string, unknown>;
  for (const [property, rules] of groupBy(own)) {
    ApiProperty(propertyOptions(rules, defaults[property]))(cls.prototype as object, property);
  }
}

function propertyOptions(rules: ValidationMetadata[], defaultValue: unknown): ApiPropertyOptions {
  const schema: Schema = {};
  const items: Schema = {};
  for (const rule of rules) {
    const described = rule.name ? FROM_VALIDATOR[rule.name]?.(rule.constraints ?? []) : undefined;
    if (described) Object.assign(rule.each ? items : schema, described);
  }
  // A field that only @Allow()s is taken as sent, whatever its type (and may be absent).
  const anyValue = rules.every((rule) => rule.type === 'whitelistValidation');
  const optional = anyValue || rules.some((rule) => rule.name === 'isOptional') || defaultValue !== undefined;
  if (schema.type === 'array') schema.items = Object.keys(items).length ? items : {};
  return { ...schema, required: !optional, ...(defaultValue !== undefined ? { default: defaultValue } : {}), ...(anyValue ? { [ANY_VALUE]: true } : {}) };
}

/** Marks a property of any type: @nestjs/swagger always writes a type, so openApiDocument() takes it out again. */
const ANY_VALUE = 'x-any-value';

/** Takes the type out of every property marked as taking any value. */
export function allowAnyValues(schemas: Record<string, { properties?: Record<string, Schema> }>): void {
  for (const schema of Object.values(schemas)) {
    for (const property of Object.values(schema.properties ?? {})) {
      if (!property[ANY_VALUE]) continue;
      delete property[ANY_VALUE];
      delete property.type;
    }
  }
}

function groupBy(rules: ValidationMetadata[]): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const rule of rules) byProperty.set(rule.propertyName, [...(byProperty.get(rule.propertyName) ?? []), rule]);
  return byProperty;
}
