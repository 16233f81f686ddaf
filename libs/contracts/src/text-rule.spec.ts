import { textFault } from './text-rule';

describe('textFault', () => {
  it.each([
    ['plain text', 'hello'],
    ['astral characters (a well-formed surrogate pair)', 'rocket 🚀'],
    ['accents and scripts', 'Zoë 東京 مرحبا'],
    ['a non-breaking space (U+00A0, past the C1 block)', 'a\u00a0b'],
  ])('accepts %s', (_name, text) => {
    expect(textFault(text)).toBeUndefined();
  });

  it.each([
    ['a NUL', 'a\u0000b', 'holds a NUL character'],
    ['a bell', 'a\u0007b', 'holds the control character U+0007'],
    ['a tab on one line', 'a\tb', 'holds the control character U+0009'],
    ['DEL', 'a\u007fb', 'holds the control character U+007F'],
    ['a C1 control', 'a\u0085b', 'holds the control character U+0085'],
    ['a lone high surrogate', 'a\ud800b', 'holds a lone surrogate (not valid Unicode)'],
    ['a lone low surrogate at the end', 'ab\udc00', 'holds a lone surrogate (not valid Unicode)'],
    ['two high surrogates', '\ud800\ud800\udc00', 'holds a lone surrogate (not valid Unicode)'],
  ])('refuses %s, without quoting it', (_name, text, fault) => {
    expect(textFault(text)).toBe(fault);
  });

  it('allows tab, line feed and carriage return in multiline text, and nothing else', () => {
    expect(textFault('line 1\r\n\tline 2', 'multiline')).toBeUndefined();
    expect(textFault('a\u0000b', 'multiline')).toBe('holds a NUL character');
    expect(textFault('a\u000bb', 'multiline')).toBe('holds the control character U+000B');
  });
});
