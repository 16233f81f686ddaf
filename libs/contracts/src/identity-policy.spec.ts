import { ClaimKind } from './requests/claim-check.request';
import { admits, IDENTITY_POLICIES, POLICY_CLAIMS } from './identity-policy';

describe('the identity policy', () => {
  it('names the claim kinds each policy verifies by, the token first where a claim carries both', () => {
    expect(POLICY_CLAIMS).toEqual({ user_hash: ['user_hash'], jwt: ['user_jwt'], either: ['user_jwt', 'user_hash'] });
    expect(Object.keys(POLICY_CLAIMS)).toEqual([...IDENTITY_POLICIES]);
  });

  it.each<[(typeof IDENTITY_POLICIES)[number], ClaimKind, boolean]>([
    ['user_hash', 'user_hash', true],
    ['user_hash', 'user_jwt', false],
    ['jwt', 'user_jwt', true],
    ['jwt', 'user_hash', false],
    ['either', 'user_hash', true],
    ['either', 'user_jwt', true],
  ])('%s admits a claim verified by %s: %s', (policy, kind, admitted) => {
    expect(admits(policy, kind)).toBe(admitted);
  });
});
