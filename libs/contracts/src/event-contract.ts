import { validateSync, ValidationError } from 'class-validator';
import { rulesCheck } from './compiled-rules';

/** What every event carries around its data (docs/api.md §3). */
export interface EventEnvelope<T> {
  /** Unique per logical event; also the JetStream de-duplication id. */
  id: string;
  subject: string;
  schema_version: number;
  /** The widget message (or identify call) this event descends from. */
  correlation_id: string;
  occurred_at: string;
  data: T;
}

/** One event type: its subject, the schema version this code speaks, and the class that validates its data. */
export interface EventContract<T extends object, S extends string = string> {
  subject: S;
  schemaVersion: number;
  dataClass: new () => T;
}

export function defineEvent<T extends object, S extends string>(subject: S, schemaVersion: number, dataClass: new () => T): EventContract<T, S> {
  return { subject, schemaVersion, dataClass };
}

/** An event that can never be handled, however often it is redelivered: it belongs on the dead-letter subject. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export function encodeEvent<T extends object>(envelope: EventEnvelope<T>): Uint8Array {
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * Parses and validates an event at its consumer. Errors name the fields that are wrong, never
 * their values (an inbound event's claim holds a user hash).
 */
export function decodeEvent<T extends object>(contract: EventContract<T>, payload: Uint8Array): EventEnvelope<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    throw new InvalidEventError(`${contract.subject}: payload is not JSON`);
  }
  if (typeof raw !== 'object' || raw === null) throw new InvalidEventError(`${contract.subject}: payload is not an object`);
  const envelope = raw as Partial<EventEnvelope<unknown>>;
  if (envelope.schema_version !== contract.schemaVersion) {
    throw new InvalidEventError(`${contract.subject}: schema_version ${String(envelope.schema_version)} is not the supported ${contract.schemaVersion}`);
  }
  const missing = (['id', 'correlation_id', 'occurred_at'] as const).filter((field) => typeof envelope[field] !== 'string' || envelope[field] === '');
  if (missing.length > 0) throw new InvalidEventError(`${contract.subject}: envelope lacks ${missing.join(', ')}`);
  if (typeof envelope.data !== 'object' || envelope.data === null) throw new InvalidEventError(`${contract.subject}: data is not an object`);

  return { ...(envelope as EventEnvelope<unknown>), subject: contract.subject, data: validateData(contract, envelope.data) };
}

/** Turns plain data into the contract's class and validates it, naming the wrong fields. */
export function validateData<T extends object>(contract: { subject: string; dataClass: new () => T }, plain: unknown): T {
  // The contracts' fields are flat (no nested classes to convert), so the parsed object only needs
  // the class's prototype for its validation metadata: cheaper than a class-transformer copy on the hot path.
  const data = Object.assign(Object.create(contract.dataClass.prototype as object) as T, plain);
  if (rulesCheck(contract.dataClass)?.(data)) return data;
  const errors = validateSync(data, { forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidEventError(`${contract.subject}: invalid ${describe(errors).join(', ')}`);
  return data;
}

function describe(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = `${prefix}${error.property}`;
    return error.children?.length ? describe(error.children, `${path}.`) : [path];
  });
}
