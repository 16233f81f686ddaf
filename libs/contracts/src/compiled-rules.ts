import { getMetadataStorage, ValidationArguments, ValidationTypes, ValidatorConstraintInterface } from 'class-validator';

/**
 * A contract class's class-validator rules, read from its decorators once and run without
 * class-validator's per-call machinery (metadata lookup and grouping, an error object per property),
 * which cost up to a tenth of a consumer's CPU per event. The decorated class stays the one source
 * of the rules: this calls the very constraint functions its decorators registered, in the order
 * `validateSync` does. It only answers "no error at all"; anything else goes to class-validator,
 * which names the wrong fields, so a rejection and its message come from class-validator itself.
 */
export type RulesCheck = (data: object) => boolean;

interface ConstraintCheck {
  property: string;
  constraints: unknown[];
  each: boolean;
  validateIf?: (object: object, value: unknown) => boolean;
  constraint: ValidatorConstraintInterface;
}

interface PropertyRules {
  property: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  checks: ConstraintCheck[];
}

const compiled = new WeakMap<abstract new () => object, RulesCheck | null>();

/**
 * The check for a class, compiled on first use; undefined when the class uses a rule this does not
 * mirror (nested, promise or IsDefined validation, async constraints), which leaves it to class-validator.
 */
export function rulesCheck(dataClass: abstract new () => object): RulesCheck | undefined {
  let check = compiled.get(dataClass);
  if (check === undefined) {
    check = compile(dataClass);
    compiled.set(dataClass, check);
  }
  return check ?? undefined;
}

function compile(dataClass: abstract new () => object): RulesCheck | null {
  const storage = getMetadataStorage();
  // The same selection validateSync makes with no groups and `always` off.
  const metadatas = storage.getTargetValidationMetadatas(dataClass, '', false, false, undefined);
  // forbidUnknownValues: a class without rules is an error, and class-validator says so.
  if (metadatas.length === 0) return null;
  const rules: PropertyRules[] = [];
  for (const [property, ofProperty] of Object.entries(storage.groupByPropertyName(metadatas))) {
    const propertyRules: PropertyRules = { property, conditions: [], checks: [] };
    for (const metadata of ofProperty) {
      if (metadata.type === ValidationTypes.WHITELIST) continue;
      if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        propertyRules.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        continue;
      }
      if (metadata.type !== ValidationTypes.CUSTOM_VALIDATION) return null;
      for (const constraintMetadata of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraintMetadata.async) return null;
        propertyRules.checks.push({
          property,
          constraints: metadata.constraints,
          each: metadata.each,
          validateIf: metadata.validateIf,
          constraint: constraintMetadata.instance,
        });
      }
    }
    rules.push(propertyRules);
  }
  return (data) => {
    // validateSync finds the rules by the object's constructor: a payload that replaced it (an own
    // `constructor` or `__proto__` key) is not this class's to judge here.
    if (data.constructor !== dataClass) return false;
    const object = data as Record<string, unknown>;
    for (const { property, conditions, checks } of rules) {
      const value = object[property];
      if (!allHold(conditions, object, value)) continue;
      for (const check of checks) if (!passes(check, dataClass.name, object, value)) return false;
    }
    return true;
  };
}

function allHold(conditions: PropertyRules['conditions'], object: object, value: unknown): boolean {
  for (const condition of conditions) if (!condition(object, value)) return false;
  return true;
}

function passes(check: ConstraintCheck, targetName: string, object: object, value: unknown): boolean {
  if (check.validateIf && !check.validateIf(object, value)) return true;
  const args: ValidationArguments = { targetName, property: check.property, object, value, constraints: check.constraints };
  const isCollection = Array.isArray(value) || value instanceof Set || value instanceof Map;
  if (!check.each || !isCollection) return accepted(check.constraint.validate(value, args));
  for (const element of value instanceof Map ? value.values() : value) if (!accepted(check.constraint.validate(element, args))) return false;
  return true;
}

/** A promise is an answer validateSync ignores: leave the call to class-validator. */
function accepted(result: unknown): boolean {
  return Boolean(result) && !(result instanceof Promise);
}
