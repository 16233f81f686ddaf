import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inviaroUserHash } from './index';

const SECRET = 'b'.repeat(64);
/** The docs' Node snippet, run as written (test/conformance/snippets/node.js). */
const DOCS_SNIPPET = join(__dirname, '..', '..', '..', 'test', 'conformance', 'snippets', 'node.js');

function docsHashes(userIds: string[], secret: string): string[] {
  const out = execFileSync(process.execPath, [DOCS_SNIPPET], { input: JSON.stringify(userIds), env: { ...process.env, INVIARO_WIDGET_SECRET: secret } });
  return out.toString().trim().split('\n');
}

describe('inviaroUserHash', () => {
  const saved = process.env.INVIARO_WIDGET_SECRET;
  afterEach(() => {
    if (saved === undefined) delete process.env.INVIARO_WIDGET_SECRET;
    else process.env.INVIARO_WIDGET_SECRET = saved;
  });

  it('gives the digest the verifier expects (a fixed vector)', () => {
    expect(inviaroUserHash('usr_42', SECRET)).toBe('b2b44a21d4a0df88b67e8f527a5d801b7ade8509f85d09c9c979f87912a28411');
  });

  it('agrees with the docs’ Node snippet, non-ASCII ids included', () => {
    const userIds = ['usr_42', '7f9c0a52-0c0e-4a1b-9d0e-5b3f3d1f2a10', 'Zoë-ünïcødé', ' spaced '];
    expect(userIds.map((id) => inviaroUserHash(id, SECRET))).toEqual(docsHashes(userIds, SECRET));
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
