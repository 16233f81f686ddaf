import { userHash } from '@inviaro/crypto';
import { WidgetSecretVersions } from '@inviaro/widget-secrets';
import { createHmac } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { WidgetSecrets } from '../secrets/widget-secrets';
import { ClaimDiagnosis } from './claim-diagnosis';

const CURRENT = 'c'.repeat(64);
const RETIRED = 'a1'.repeat(32);
/** Version 2 verifies; version 1 was rotated away (kept to tell stale_secret). */
const VERSIONS: WidgetSecretVersions = { version: 2, secret: CURRENT, previous: RETIRED, previousLive: false, policy: 'either', widgetKey: 'wt_shop' };

const diagnose = (claim: Record<string, unknown>) =>
  new ClaimDiagnosis({ of: () => Promise.resolve(VERSIONS) } as unknown as WidgetSecrets).diagnose('00000000-0000-4000-8000-000000000001', claim);
const token = (payload: object, key: string | Buffer = CURRENT, options: object = {}) =>
  sign({ sub: 'usr_7', exp: Math.floor(Date.now() / 1000) + 600, ...payload }, key, { algorithm: 'HS256', ...options });

describe('the claim check: the verifier’s verdict, with a hint', () => {
  it('answers a verified claim with the version it verified under', async () => {
    expect(await diagnose({ user_id: 'usr_7', user_hash: userHash('usr_7', CURRENT) })).toEqual({
      verdict: 'verified',
      reason: null,
      hint: null,
      explanation: null,
      secret_version: 2,
    });
  });

  it('tells the usual user_hash mistakes apart', async () => {
    const hexKeyed = createHmac('sha256', Buffer.from(CURRENT, 'hex')).update('usr_7').digest('hex');
    expect(await diagnose({ user_id: 'usr_7', user_hash: hexKeyed })).toMatchObject({ reason: 'mismatch', hint: 'hex_decoded_key' });
    const trimmedSigned = await diagnose({ user_id: 'usr_7 ', user_hash: userHash('usr_7', CURRENT) });
    expect(trimmedSigned?.hint).toBe('whitespace_in_user_id');
    expect(trimmedSigned?.explanation).toContain('without its leading or trailing whitespace');
    const otherSigned = await diagnose({ user_id: 'usr_7 ', user_hash: userHash('usr_8', CURRENT) });
    expect(otherSigned?.hint).toBe('whitespace_in_user_id');
    expect(otherSigned?.explanation).toContain('must be of exactly the id sent');
    expect(await diagnose({ user_id: 'usr_7', user_hash: userHash('usr_7', RETIRED) })).toMatchObject({
      reason: 'stale_secret',
      hint: 'previous_secret',
      secret_version: 1,
    });
    expect(await diagnose({ user_id: 'usr_7', user_hash: userHash('usr_8', CURRENT) })).toMatchObject({ reason: 'mismatch', hint: null });
  });

  it('says which check a token fails, in words, and never repeats it', async () => {
    const cases: Array<[string, RegExp | string]> = [
      [token({}, CURRENT, { algorithm: 'HS512' }), /^its alg is HS512: only HS256 verifies$/],
      [token({}, CURRENT, { keyid: 'v7' }), 'its kid v7 names no live secret (live: v2)'],
      [token({ aud: 'wt_other' }), 'its aud "wt_other" is not this widget’s key wt_shop'],
      [token({ exp: 1_000_000 }), /^it expired at 1970-01-12T13:46:40.000Z; the server’s clock reads /],
      [token({ exp: Math.floor(Date.now() / 1000) + 48 * 3600 }), /^exp must be set and at most 24 h after iat/],
    ];
    for (const [jwt, words] of cases) {
      const answer = await diagnose({ user_jwt: jwt });
      expect(answer?.explanation).toMatch(words);
      expect(JSON.stringify(answer)).not.toContain(jwt);
    }
    expect(await diagnose({ user_jwt: token({}, Buffer.from(CURRENT, 'hex')) })).toMatchObject({ reason: 'jwt_signature', hint: 'hex_decoded_key' });
    expect(await diagnose({ user_jwt: token({}, RETIRED) })).toMatchObject({ reason: 'stale_secret', hint: 'previous_secret', secret_version: 1 });
  });

  it('answers null for a widget that has no secret', async () => {
    const none = new ClaimDiagnosis({ of: () => Promise.resolve(null) } as unknown as WidgetSecrets);
    expect(await none.diagnose('00000000-0000-4000-8000-000000000001', { user_jwt: token({}) })).toBeNull();
  });
});
