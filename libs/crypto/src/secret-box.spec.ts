import { inspect } from 'node:util';
import { generateMasterKey, KeyRing, openSecret, sealSecret, SealedSecret } from './secret-box';

const SECRET = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const BINDING = { widgetId: '7d1c6a0e-4b7e-4d8a-9b1f-2f6a8c3e5d41', version: 3 };

/** The error message `act` throws; fails the test when it does not throw. */
function errorOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const flipFirstBit = (bytes: Buffer) => Buffer.from(bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte)));

describe('the secret box', () => {
  const k1 = generateMasterKey();
  const ring = KeyRing.parse(`k1:${k1}`);

  it('opens what it sealed', () => {
    const sealed = sealSecret(ring, SECRET, BINDING);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.ciphertext.toString('utf8')).not.toContain(SECRET.slice(0, 8));
    expect(openSecret(ring, sealed, BINDING)).toBe(SECRET);
  });

  it('uses a fresh iv every time', () => {
    const [a, b] = [sealSecret(ring, SECRET, BINDING), sealSecret(ring, SECRET, BINDING)];
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it.each<[string, (sealed: SealedSecret) => SealedSecret]>([
    ['ciphertext', (s) => ({ ...s, ciphertext: flipFirstBit(s.ciphertext) })],
    ['tag', (s) => ({ ...s, tag: flipFirstBit(s.tag) })],
    ['iv', (s) => ({ ...s, iv: flipFirstBit(s.iv) })],
    ['tag, truncated', (s) => ({ ...s, tag: s.tag.subarray(0, 4) })],
    ['iv, emptied', (s) => ({ ...s, iv: Buffer.alloc(0) })],
  ])('refuses a tampered %s', (_part, tamper) => {
    const tampered = tamper(sealSecret(ring, SECRET, BINDING));
    expect(errorOf(() => openSecret(ring, tampered, BINDING))).toBe(`widget secret ${BINDING.widgetId} v3 failed authentication under master key k1`);
  });

  it.each([
    ['another widget', { ...BINDING, widgetId: '0f6e2f7a-8c43-4c55-a3a3-7a9d1b2c3e4f' }],
    ['another version', { ...BINDING, version: 4 }],
  ])('refuses a ciphertext moved to %s', (_where, binding) => {
    const sealed = sealSecret(ring, SECRET, BINDING);
    expect(errorOf(() => openSecret(ring, sealed, binding))).toMatch(/failed authentication/);
  });

  it('seals with the newest key and still opens with the older ones', () => {
    const old = sealSecret(ring, SECRET, BINDING);
    const rotated = KeyRing.parse(`k1:${k1},k2:${generateMasterKey()}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(openSecret(rotated, old, BINDING)).toBe(SECRET);
    const fresh = sealSecret(rotated, SECRET, BINDING);
    expect(fresh.keyId).toBe('k2');
    expect(openSecret(rotated, fresh, BINDING)).toBe(SECRET);
  });

  it('names a key id it does not hold', () => {
    const sealed = sealSecret(KeyRing.parse(`k9:${generateMasterKey()}`), SECRET, BINDING);
    expect(errorOf(() => openSecret(ring, sealed, BINDING))).toBe('no master key k9 in the key ring');
  });

  it('refuses a key of the same id that is not the one that sealed', () => {
    const sealed = sealSecret(ring, SECRET, BINDING);
    expect(errorOf(() => openSecret(KeyRing.parse(`k1:${generateMasterKey()}`), sealed, BINDING))).toMatch(/failed authentication/);
  });
});

describe('KeyRing.parse', () => {
  const key = generateMasterKey();
  const other = generateMasterKey();
  const notKidBase64 = (entry: number) => `entry ${entry} of the key ring is not kid:base64 (kid of letters, digits, _ . -)`;

  it('reads kid:base64 entries, newest last, tolerating spaces and empty entries', () => {
    expect(KeyRing.parse(` a:${key} ,, b.2_x-y:${other} ,`).currentKeyId).toBe('b.2_x-y');
  });

  it.each([
    ['nothing', '', 'the key ring is empty'],
    ['only separators', ' , ,', 'the key ring is empty'],
    ['no kid', `${key}`, notKidBase64(1)],
    ['an empty kid', `:${key}`, notKidBase64(1)],
    ['a kid with a space', `k 1:${key}`, notKidBase64(1)],
    ['no key', 'k1:', notKidBase64(1)],
    ['two colons', `k1:${key}:x`, notKidBase64(1)],
    ['a key that is not base64', `k1:${key.slice(0, 20)}!${key.slice(21)}`, notKidBase64(1)],
    ['a bad second entry', `k1:${key},k2=${other}`, notKidBase64(2)],
    ['a 16-byte key', `k1:${Buffer.alloc(16, 7).toString('base64')}`, 'master key k1 is 16 bytes, not 32'],
    ['a 33-byte key', `k1:${Buffer.alloc(33, 7).toString('base64')}`, 'master key k1 is 33 bytes, not 32'],
    ['a hex key', `k1:${Buffer.alloc(32, 7).toString('hex')}`, 'master key k1 is 48 bytes, not 32'],
    ['a duplicate kid', `k1:${key},k1:${other}`, 'master key id k1 appears twice in the key ring'],
  ])('refuses %s with a clear error', (_name, text, message) => {
    expect(errorOf(() => KeyRing.parse(text))).toBe(message);
  });

  it('never puts key material in an error', () => {
    const texts = [
      `${key}`,
      `k 1:${key}`,
      `k1:${key}:x`,
      `k1:${key.slice(0, 20)}!${key.slice(21)}`,
      `k1:${key},k2=${other}`,
      `k1:${key}AAAA`,
      `k1:${key},k1:${other}`,
    ];
    const leaks = (message: string) =>
      [key, other].some((k) => message.includes(k.slice(0, 12)) || message.includes(Buffer.from(k, 'base64').toString('hex').slice(0, 12)));
    for (const text of texts) expect(leaks(errorOf(() => KeyRing.parse(text)))).toBe(false);
  });

  it('shows no key material when inspected or serialised', () => {
    const ring = KeyRing.parse(`k1:${key}`);
    const hex = Buffer.from(key, 'base64').toString('hex');
    for (const shown of [inspect(ring, { depth: 10, showHidden: true }), JSON.stringify(ring)]) {
      expect(shown).not.toContain(key.slice(0, 12));
      expect(shown).not.toMatch(new RegExp(hex.slice(0, 12).replace(/(..)/g, '$1 ?'), 'i'));
    }
  });
});

describe('generateMasterKey', () => {
  it('is 32 random bytes in base64, usable in a key ring', () => {
    const key = generateMasterKey();
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(key).not.toBe(generateMasterKey());
    expect(KeyRing.parse(`k1:${key}`).currentKeyId).toBe('k1');
  });
});
