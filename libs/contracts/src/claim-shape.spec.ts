import { claimShape, readIntegerUserId, reduceClaim } from './claim-shape';
import { InboundClaim } from './events/message-inbound.event';

const HASH = 'ab'.repeat(32);

describe('reduceClaim', () => {
  it.each<[string, InboundClaim, InboundClaim]>([
    ['a claim that fits, as its id text and hash', { user_id: 'usr_1', user_hash: HASH }, { user_id: 'usr_1', user_hash: HASH }],
    ['an integer id, as its decimal text', { user_id: 42, user_hash: HASH }, { user_id: '42', user_hash: HASH }],
    ['a 100 KB array as the id, to its fault alone', { user_id: Array(20_000).fill('abcde'), user_hash: HASH }, { shape_fault: 'malformed' }],
    ['an object as the hash, to its fault and the id', { user_id: 'usr_1', user_hash: { a: 1 } }, { shape_fault: 'malformed', user_id: 'usr_1' }],
    ['an id with a NUL, to its fault alone', { user_id: 'a\u0000b', user_hash: HASH }, { shape_fault: 'malformed' }],
    [
      'a 300-character id, to its fault and 255 characters of it',
      { user_id: 'x'.repeat(300), user_hash: HASH },
      { shape_fault: 'malformed', user_id: 'x'.repeat(255) },
    ],
    ['no hash', { user_id: 'usr_1' }, { shape_fault: 'missing_hash', user_id: 'usr_1' }],
    ['a null id beside an object hash', { user_id: null, user_hash: { a: 1 } }, { shape_fault: 'missing_user_id' }],
    ['a token alone, as it is', { user_jwt: 'aa.bb.cc' }, { user_jwt: 'aa.bb.cc' }],
    ['a token beside a pair, both', { user_id: 'usr_1', user_hash: HASH, user_jwt: 'aa.bb.cc' }, { user_id: 'usr_1', user_hash: HASH, user_jwt: 'aa.bb.cc' }],
    ['a token with an empty signature (alg none), for the verifier to refuse', { user_jwt: 'aa.bb.' }, { user_jwt: 'aa.bb.' }],
    ['a token that is no compact JWS, to its fault', { user_jwt: 'not a token' }, { jwt_fault: 'jwt_malformed' }],
    ['a token as an object, to its fault', { user_jwt: { alg: 'none' } }, { jwt_fault: 'jwt_malformed' }],
    ['a token over 4096 characters, to its fault', { user_jwt: `${'a'.repeat(4096)}.b.c` }, { jwt_fault: 'jwt_malformed' }],
    ['an empty token, as no token', { user_jwt: '' }, {}],
    [
      'a fault the caller made up is still judged by the fields',
      { user_id: 'usr_1', user_hash: HASH, shape_fault: 'nonsense' },
      { user_id: 'usr_1', user_hash: HASH },
    ],
  ])('%s', (_name, claim, reduced) => {
    expect(reduceClaim(claim)).toEqual(reduced);
  });

  it('keeps the verdict: a reduced claim has the shape of the claim it came from', () => {
    const claims: InboundClaim[] = [
      { user_id: [1], user_hash: HASH },
      { user_hash: '' },
      { user_id: 7 },
      { user_id: 'a', user_hash: 'zz' },
      { user_id: 'a\ud800', user_hash: HASH },
    ];
    for (const claim of claims) expect(claimShape(reduceClaim(claim))).toEqual(claimShape(claim));
  });
});

describe('readIntegerUserId', () => {
  const userIdOf = (json: string): unknown => (JSON.parse(json, readIntegerUserId) as { user_id: unknown }).user_id;

  it.each<[string, unknown]>([
    ['9007199254740993', '9007199254740993'],
    ['12345678901234567890', '12345678901234567890'],
    ['-42', '-42'],
    ['-0', '0'],
    ['42.0', 42],
    ['1e3', 1000],
    ['"007"', '007'],
  ])('reads user_id %s as %p', (written, read) => {
    expect(userIdOf(`{"user_id": ${written}}`)).toEqual(read);
  });

  it('leaves an integer of more than 255 characters a number (malformed by its length anyway), unconverted', () => {
    expect(userIdOf(`{"user_id": 1${'0'.repeat(255)}}`)).toBe(1e255);
  });

  it('leaves every other field as JSON.parse reads it', () => {
    expect(JSON.parse('{"text": 9007199254740993, "limit": 5}', readIntegerUserId)).toEqual({ text: 9007199254740992, limit: 5 });
  });
});
