import { IsOptional, IsString, Length } from 'class-validator';

/** A field that may be absent, and is otherwise text of 1 to `maxLength` characters (a user id, a cursor). */
export function OptionalText(maxLength: number): PropertyDecorator {
  const rules = [IsOptional(), IsString(), Length(1, maxLength)];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}
