import { userHash } from '@inviaro/crypto';
import { checkClaim } from './claim-check';

const SECRET = 'c0ffee'.repeat(10) + 'c0de';
const OTHER_SECRET = 'b'.repeat(64);
const signed = (userId: string) => userHash(userId, SECRET);
const GOOD_HASH = signed('usr_1');

describe('checkClaim', () => {
  describe('verifies', () => {
    it.each<[string, unknown, string]>([
      ['a string id', 'usr_1', 'usr_1'],
      ['an id of exactly 255 characters', 'x'.repeat(255), 'x'.repeat(255)],
      ['an id of 255 astral characters (510 UTF-16 units)', '🚀'.repeat(255), '🚀'.repeat(255)],
      ['an id with spaces inside', 'a b  c', 'a b  c'],
      ['an integer id, as its decimal string', 42, '42'],
      ['a negative integer id', -7, '-7'],
    ])('%s', (_name, userId, asText) => {
      expect(checkClaim({ user_id: userId, user_hash: signed(asText) }, SECRET)).toEqual({ verified: true, userId: asText });
    });

    it('an upper-case hash', () => {
      expect(checkClaim({ user_id: 'usr_1', user_hash: GOOD_HASH.toUpperCase() }, SECRET)).toEqual({ verified: true, userId: 'usr_1' });
    });
  });

  describe('fails', () => {
    it.each<[string, { user_id?: unknown; user_hash?: unknown } | null | undefined, string, string | undefined]>([
      ['no hash', { user_id: 'usr_1' }, 'missing_hash', 'usr_1'],
      ['a null hash', { user_id: 'usr_1', user_hash: null }, 'missing_hash', 'usr_1'],
      ['an empty hash', { user_id: 'usr_1', user_hash: '' }, 'missing_hash', 'usr_1'],
      ['no hash and an integer id', { user_id: 42 }, 'missing_hash', '42'],
      ['neither field (the caller treats this as no claim)', {}, 'missing_hash', undefined],
      ['a null claim (the caller treats this as no claim)', null, 'missing_hash', undefined],
      ['no id', { user_hash: GOOD_HASH }, 'missing_user_id', undefined],
      ['a null id', { user_id: null, user_hash: GOOD_HASH }, 'missing_user_id', undefined],
      ['an empty id', { user_id: '', user_hash: signed('') }, 'missing_user_id', undefined],
      ['an id of 256 characters', { user_id: 'x'.repeat(256), user_hash: signed('x'.repeat(256)) }, 'malformed', 'x'.repeat(255)],
      ['an id of 256 astral characters', { user_id: '🚀'.repeat(256), user_hash: signed('🚀'.repeat(256)) }, 'malformed', '🚀'.repeat(255)],
      ['a hash one character short', { user_id: 'usr_1', user_hash: GOOD_HASH.slice(1) }, 'malformed', 'usr_1'],
      ['a hash one character long', { user_id: 'usr_1', user_hash: `${GOOD_HASH}0` }, 'malformed', 'usr_1'],
      ['a hash that is not hex', { user_id: 'usr_1', user_hash: 'z'.repeat(64) }, 'malformed', 'usr_1'],
      ['a hash with a trailing newline', { user_id: 'usr_1', user_hash: `${GOOD_HASH}\n` }, 'malformed', 'usr_1'],
      ['a number hash', { user_id: 'usr_1', user_hash: 12345 }, 'malformed', 'usr_1'],
      ['an array hash', { user_id: 'usr_1', user_hash: [GOOD_HASH] }, 'malformed', 'usr_1'],
      ['an object hash', { user_id: 'usr_1', user_hash: { toString: () => GOOD_HASH } }, 'malformed', 'usr_1'],
      ['a boolean hash', { user_id: 'usr_1', user_hash: true }, 'malformed', 'usr_1'],
      ['an array id', { user_id: ['usr_1'], user_hash: GOOD_HASH }, 'malformed', undefined],
      ['an object id', { user_id: { id: 'usr_1' }, user_hash: GOOD_HASH }, 'malformed', undefined],
      ['a boolean id', { user_id: true, user_hash: signed('true') }, 'malformed', undefined],
      ['a float id', { user_id: 4.2, user_hash: signed('4.2') }, 'malformed', undefined],
      ['a NaN id', { user_id: NaN, user_hash: signed('NaN') }, 'malformed', undefined],
      ['an integer id beyond 2^53', { user_id: 2 ** 53, user_hash: signed(String(2 ** 53)) }, 'malformed', undefined],
      ['a digest under another secret', { user_id: 'usr_1', user_hash: userHash('usr_1', OTHER_SECRET) }, 'mismatch', 'usr_1'],
      ['a digest of another id', { user_id: 'usr_2', user_hash: GOOD_HASH }, 'mismatch', 'usr_2'],
      ['a digest of an integer id under another secret', { user_id: 42, user_hash: userHash('42', OTHER_SECRET) }, 'mismatch', '42'],
    ])('%s', (_name, claim, reason, claimedUserId) => {
      expect(checkClaim(claim, SECRET)).toEqual({ verified: false, reason, claimedUserId });
    });
  });
});

describe('checkClaim on bytes the database cannot hold', () => {
  it.each<[string, unknown]>([
    ['a NUL in the id', 'usr\u00001'],
    ['a control character in the id', 'usr\u00071'],
    ['a lone surrogate in the id', 'usr\ud8001'],
  ])('%s is malformed, and the id is not recorded', (_name, userId) => {
    expect(checkClaim({ user_id: userId, user_hash: signed(String(userId)) }, SECRET)).toEqual({
      verified: false,
      reason: 'malformed',
      claimedUserId: undefined,
    });
  });
});

describe('checkClaim on a claim the gateway reduced', () => {
  it.each<[string, { user_id?: unknown; user_hash?: unknown; shape_fault?: unknown }, string, string | undefined]>([
    ['a malformed fault with the safe id', { shape_fault: 'malformed', user_id: 'usr_1' }, 'malformed', 'usr_1'],
    ['a missing hash without an id', { shape_fault: 'missing_hash' }, 'missing_hash', undefined],
    ['a missing id', { shape_fault: 'missing_user_id' }, 'missing_user_id', undefined],
    ['a fault even beside a good digest', { shape_fault: 'malformed', user_id: 'usr_1', user_hash: GOOD_HASH }, 'malformed', 'usr_1'],
  ])('%s', (_name, claim, reason, claimedUserId) => {
    expect(checkClaim(claim, SECRET)).toEqual({ verified: false, reason, claimedUserId });
  });
});
