import { BadRequestException } from '@nestjs/common';
import { AcceptedTextPipe, ClaimValue, MultilineText } from './accepted-text';

class Body {
  @MultilineText()
  text?: string;

  name?: string;

  @ClaimValue()
  user_id?: unknown;

  origins?: string[];
}

const pipe = new AcceptedTextPipe();
const body = (fields: Partial<Body>) => Object.assign(new Body(), fields);
const refusal = (value: unknown, type: 'body' | 'query' | 'param' = 'body', data?: string) => {
  try {
    pipe.transform(value, { type, data });
    return undefined;
  } catch (error) {
    return error instanceof BadRequestException ? error.message : String(error);
  }
};

describe('AcceptedTextPipe', () => {
  it('names the field and what is wrong with it, never its value', () => {
    expect(refusal(body({ name: 'a\u0000secret' }))).toBe('name: holds a NUL character');
    expect(refusal(body({ origins: ['https://ok.example', 'https://x\ud800'] }))).toBe('origins[1]: holds a lone surrogate (not valid Unicode)');
    expect(refusal('a\u0007', 'param', 'id')).toBe('id: holds the control character U+0007');
  });

  it('allows line breaks and tabs in free text only', () => {
    expect(refusal(body({ text: 'one\r\n\ttwo' }))).toBeUndefined();
    expect(refusal(body({ name: 'one\ntwo' }))).toBe('name: holds the control character U+000A');
  });

  it('leaves a claim value to the claim-shape rule', () => {
    expect(refusal(body({ user_id: 'usr\u0000' }))).toBeUndefined();
  });

  it('covers a field no decorator names', () => {
    expect(refusal({ anything: { nested: 'a\u0000' } }, 'query')).toBe('anything.nested: holds a NUL character');
  });
});
