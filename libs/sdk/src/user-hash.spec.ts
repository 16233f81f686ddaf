import { inviaroUserHash } from './index';

// That it agrees with the docs' snippets, taken from the docs themselves: test/conformance/docs-snippets.test.ts.
const SECRET = 'b'.repeat(64);

describe('inviaroUserHash', () => {
  const saved = process.env.INVIARO_WIDGET_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.INVIARO_WIDGET_SECRET;
    else process.env.INVIARO_WIDGET_SECRET = saved;
  });

  it('gives the digest the verifier expects (a fixed vector)', () => {
    expect(inviaroUserHash('usr_42', SECRET)).toBe('b2b44a21d4a0df88b67e8f527a5d801b7ade8509f85d09c9c979f87912a28411');
  });

  it('reads INVIARO_WIDGET_SECRET when no secret is passed', () => {
    process.env.INVIARO_WIDGET_SECRET = SECRET;
    expect(inviaroUserHash('usr_42')).toBe(inviaroUserHash('usr_42', SECRET));
    expect(inviaroUserHash('usr_42', 'c'.repeat(64))).not.toBe(inviaroUserHash('usr_42'));
  });

  it('throws on an empty user id, as the docs’ function does', () => {
    expect(() => inviaroUserHash('', SECRET)).toThrow('userId required');
  });

  it('throws rather than sign with a missing or empty secret', () => {
    delete process.env.INVIARO_WIDGET_SECRET;
    expect(() => inviaroUserHash('usr_42')).toThrow(/INVIARO_WIDGET_SECRET/);
    expect(() => inviaroUserHash('usr_42', '')).toThrow(/INVIARO_WIDGET_SECRET/);
  });

  it('exports nothing but the hash', async () => {
    expect(Object.keys(await import('./index'))).toEqual(['inviaroUserHash']);
  });
});
