import { textFault, TextKind } from '@inviaro/contracts';
import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';

/** Per DTO property: free text (tab and line breaks allowed), or a claim value the text rule leaves to the claim's shape rule. */
type PropertyRule = TextKind | 'claim';
const RULE = Symbol('acceptedTextRule');
const ruleOf = (dto: object, property: string): PropertyRule | undefined => Reflect.getMetadata(RULE, dto, property) as PropertyRule | undefined;

/** A free-text field (a chat message): tab, line feed and carriage return allowed. */
export const MultilineText = (): PropertyDecorator => Reflect.metadata(RULE, 'multiline' satisfies PropertyRule);

/** A claim field, kept as sent: bad bytes there make a malformed claim (dropped silently), never a 400. */
export const ClaimValue = (): PropertyDecorator => Reflect.metadata(RULE, 'claim' satisfies PropertyRule);

/** The first string in the value the text rule refuses, as `path: why`. */
function firstFault(value: unknown, path: string, kind: TextKind): string | undefined {
  if (typeof value === 'string') {
    const fault = textFault(value, kind);
    return fault && `${path || 'body'}: ${fault}`;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const fault = firstFault(item, `${path}[${index}]`, kind);
      if (fault) return fault;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const rule = path === '' ? ruleOf(value, key) : undefined;
      if (rule === 'claim') continue;
      const fault = firstFault(item, path === '' ? key : `${path}.${key}`, rule ?? 'line');
      if (fault) return fault;
    }
  }
  return undefined;
}

/**
 * Every string a caller sends in a body, a query or a path must pass the contracts' text rule
 * (text-rule.ts), or the call is a 400 naming the field. Runs after validation, so it sees only
 * the fields the DTO keeps; every string is covered unless its DTO property says otherwise.
 */
@Injectable()
export class AcceptedTextPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const fault = firstFault(value, metadata.type === 'param' ? (metadata.data ?? 'path') : '', 'line');
    if (fault) throw new BadRequestException(fault);
    return value;
  }
}
