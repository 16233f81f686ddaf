import { ClaimKind } from './requests/claim-check.request';

/** Which claims a widget accepts (docs/identity-jwt.md): a user_hash, a user_jwt, or either. */
export const IDENTITY_POLICIES = ['user_hash', 'jwt', 'either'] as const;
export type IdentityPolicy = (typeof IDENTITY_POLICIES)[number];

/**
 * The claim kinds each policy verifies by, in the order it judges a claim that carries both: the
 * verifier's rule for a claim, and the gateway's for a live stream after a policy change.
 */
export const POLICY_CLAIMS: Record<IdentityPolicy, readonly ClaimKind[]> = {
  user_hash: ['user_hash'],
  jwt: ['user_jwt'],
  either: ['user_jwt', 'user_hash'],
};

/** Does the policy admit a claim verified by this kind? */
export const admits = (policy: IdentityPolicy, kind: ClaimKind): boolean => POLICY_CLAIMS[policy].includes(kind);
