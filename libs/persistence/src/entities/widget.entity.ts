/** Which claims a widget accepts (docs/identity-jwt.md): a user_hash, a user_jwt, or either. */
export const IDENTITY_POLICIES = ['user_hash', 'jwt', 'either'] as const;
export type IdentityPolicy = (typeof IDENTITY_POLICIES)[number];

/** The claim fields each policy verifies by, in the order it judges a claim that carries both. */
export const POLICY_CLAIMS: Record<IdentityPolicy, ReadonlyArray<'user_jwt' | 'user_hash'>> = {
  user_hash: ['user_hash'],
  jwt: ['user_jwt'],
  either: ['user_jwt', 'user_hash'],
};
