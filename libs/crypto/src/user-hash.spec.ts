import { digestsMatch, hmacSha256, isHexDigest, userHash } from './user-hash';

const bytes = (byte: number, count: number) => Buffer.alloc(count, byte);
const ascii = (text: string) => Buffer.from(text, 'ascii');

// RFC 4231 §4.2–4.8, HMAC-SHA-256 outputs. Case 5 is specified truncated to 128 bits.
const RFC_4231: Array<[number, Buffer, Buffer, string]> = [
  [1, bytes(0x0b, 20), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
  [2, ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
  [3, bytes(0xaa, 20), bytes(0xdd, 50), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
  [4, Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1)), bytes(0xcd, 50), '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b'],
  [5, bytes(0x0c, 20), ascii('Test With Truncation'), 'a3b6167473100ee06e0c796c2955552b'],
  [6, bytes(0xaa, 131), ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
  [
    7,
    bytes(0xaa, 131),
    ascii(
      'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
    ),
    '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  ],
];

describe('hmacSha256', () => {
  it.each(RFC_4231)('matches RFC 4231 test case %i', (_case, key, data, expected) => {
    expect(hmacSha256(key, data).toString('hex').slice(0, expected.length)).toBe(expected);
  });
});

describe('userHash', () => {
  const secret = '3f1c1e0b8a2d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6';

  // Computed independently: printf '%s' "$USER_ID" | openssl dgst -sha256 -hmac "$SECRET"
  it.each([
    ['usr_42', 'e480e7ed43c031fa8b4c587564905839fd6fe7be38e6b25ebc753028da74d976'],
    ['42', 'dd1b53119f81e11700d2925a9e68db65164563a29fd9bf42b69b06c4a08cb999'],
    ['Łódź-ユーザー', 'be1667ba540f5595736ea64aa73d6b6647d8f24f801cc2b5e5533378b5fd15c1'],
    ['👩‍💻🚀', 'd0e7142f5e9c2ba2ad4481330babb3c22b62cb390fd63b6bb927c042d2c0590a'],
    ['a b  c', '04708321e9bb53648373ddd703d950472bc8bec32b7689dd56f5c31e21ff3458'],
  ])('signs %j as openssl does with the secret text as key', (userId, expected) => {
    expect(userHash(userId, secret)).toBe(expected);
  });

  it('keys with the hex text itself, not the bytes it spells', () => {
    // openssl dgst -sha256 -mac HMAC -macopt hexkey:$SECRET: what a hex-decoding server would send.
    expect(userHash('usr_42', secret)).not.toBe('c64000ec6a1f6027fc3e243d4e3b961c3db1db71a37fe5b6eac1450c1752ce74');
  });

  it('depends on the secret', () => {
    expect(userHash('usr_42', 'b'.repeat(64))).toBe('b2b44a21d4a0df88b67e8f527a5d801b7ade8509f85d09c9c979f87912a28411');
  });
});

describe('digestsMatch', () => {
  const digest = userHash('usr_42', 'b'.repeat(64));

  it('is true for the same digest in either case', () => {
    expect(digestsMatch(digest, digest)).toBe(true);
    expect(digestsMatch(digest, digest.toUpperCase())).toBe(true);
    expect(digestsMatch(digest.toUpperCase(), digest)).toBe(true);
  });

  it('is false for another digest', () => {
    expect(digestsMatch(digest, userHash('usr_43', 'b'.repeat(64)))).toBe(false);
  });

  it.each<[string, unknown]>([
    ['empty', ''],
    ['one character short', digest.slice(1)],
    ['one character long', `${digest}0`],
    ['twice as long', digest + digest],
    ['odd length', digest.slice(0, 63)],
    ['not hex', `${digest.slice(0, 63)}g`],
    ['hex with a trailing newline', `${digest}\n`],
    ['surrounded by spaces', ` ${digest.slice(1, 63)} `],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an array', [digest]],
    ['an object that prints as the digest', { toString: () => digest }],
  ])('is false, without throwing, for a given digest that is %s', (_name, given) => {
    expect(digestsMatch(digest, given as string)).toBe(false);
    expect(digestsMatch(given as string, digest)).toBe(false);
  });
});

describe('isHexDigest', () => {
  it('accepts 64 hex characters of either case and nothing else', () => {
    expect(isHexDigest('aB'.repeat(32))).toBe(true);
    expect(isHexDigest('a'.repeat(63))).toBe(false);
    expect(isHexDigest(12345)).toBe(false);
  });
});
