import fc from 'fast-check';
import { getMetadataStorage, ValidateNested, validateSync } from 'class-validator';
import { rulesCheck } from './compiled-rules';
import { ALL_EVENTS } from './events/all-events';
import { ClaimCheck } from './requests/claim-check.request';
import { ContactsHistory, GetContact, ListContacts, ListConversationMessages, Reply } from './requests/contacts.requests';

const CONTRACTS: Array<{ subject: string; dataClass: new () => object }> = [
  ...ALL_EVENTS,
  ClaimCheck,
  ContactsHistory,
  ListContacts,
  GetContact,
  ListConversationMessages,
  Reply,
];

/** Values that sit on and around the contracts' rules: types, lengths at their limits, enum members, formats. */
const POOL: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'a'.repeat(200),
  'a'.repeat(201),
  'a'.repeat(255),
  'a'.repeat(256),
  'a'.repeat(320),
  'a'.repeat(321),
  'a'.repeat(10_000),
  'a'.repeat(10_001),
  // 255 characters as validator.js counts them (a surrogate pair is one), 510 UTF-16 units.
  '\u{1F600}'.repeat(255),
  '\u{1F600}'.repeat(256),
  '0f8fad5b-d9cb-469f-a165-70867728950e',
  '0F8FAD5B-D9CB-469F-A165-70867728950E',
  '0f8fad5b-d9cb-469f-a165-70867728950',
  '00000000-0000-0000-0000-000000000000',
  '2026-12-01T12:00:00.000Z',
  '2026-12-01',
  '2026-13-01T12:00:00Z',
  'message',
  'identify',
  'visitor',
  'operator',
  'email',
  'name',
  'missing_hash',
  'mismatch',
  'unopenable_claim',
  'nonsense',
  0,
  1,
  -1,
  1.5,
  200,
  201,
  Number.NaN,
  '1',
  true,
  false,
  [],
  ['email'],
  ['email', 'name'],
  ['email', 'email'],
  ['phone'],
  [1],
  new Set(['email']),
  {},
  { user_id: 'u1', user_hash: 'h' },
];

function propertiesOf(dataClass: new () => object): string[] {
  const storage = getMetadataStorage();
  return Object.keys(storage.groupByPropertyName(storage.getTargetValidationMetadatas(dataClass, '', false, false, undefined)));
}

function instance(dataClass: new () => object, plain: object): object {
  return Object.assign(Object.create(dataClass.prototype as object) as object, plain);
}

/** validateSync finds no error (it throws on a `constructor` that is no class: that, too, is no acceptance). */
function classValidatorAccepts(data: object): boolean {
  try {
    return validateSync(data, { forbidUnknownValues: true }).length === 0;
  } catch {
    return false;
  }
}

/** A sample class-validator accepts, found field by field from the pool (twice over, for rules that read another field). */
function validSample(dataClass: new () => object): Record<string, unknown> {
  const sample: Record<string, unknown> = {};
  const properties = propertiesOf(dataClass);
  for (let pass = 0; pass < 2; pass++) {
    for (const property of properties) {
      const fits = POOL.find((value) => {
        const errors = validateSync(instance(dataClass, { ...sample, [property]: value }), { forbidUnknownValues: true });
        return !errors.some((error) => error.property === property);
      });
      sample[property] = fits;
    }
  }
  return sample;
}

describe('rulesCheck: the same verdict as class-validator, from the same decorators', () => {
  it.each(CONTRACTS.map((contract) => [contract.subject, contract] as const))('%s', (_subject, contract) => {
    const check = rulesCheck(contract.dataClass);
    expect(check).toBeDefined();
    const valid = validSample(contract.dataClass);
    expect(classValidatorAccepts(instance(contract.dataClass, valid))).toBe(true);
    expect(check!(instance(contract.dataClass, valid))).toBe(true);

    const properties = propertiesOf(contract.dataClass);
    let accepted = 0;
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...properties, 'extra', 'constructor'), fc.constantFrom(...POOL), { maxKeys: 4 }),
        fc.boolean(),
        (changes, asJson) => {
          const plain = { ...valid, ...changes };
          // As a consumer sees it: parsed from JSON (undefined fields vanish, a Set becomes {}).
          const sample = asJson ? (JSON.parse(JSON.stringify(plain)) as object) : plain;
          const verdict = classValidatorAccepts(instance(contract.dataClass, sample));
          if (verdict) accepted++;
          else rejected++;
          expect(check!(instance(contract.dataClass, sample))).toBe(verdict);
        },
      ),
      { numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });

  it('leaves a payload that replaces the prototype to class-validator', () => {
    const [contract] = CONTRACTS;
    const valid = validSample(contract!.dataClass);
    const sample = instance(contract!.dataClass, JSON.parse(`{"__proto__": {}, ${JSON.stringify(valid).slice(1)}`) as object);
    expect(classValidatorAccepts(sample)).toBe(false);
    expect(rulesCheck(contract!.dataClass)!(sample)).toBe(false);
  });

  it('leaves a class it cannot mirror to class-validator', () => {
    class Nested {
      @ValidateNested()
      inner?: object;
    }
    expect(rulesCheck(Nested)).toBeUndefined();
  });
});
