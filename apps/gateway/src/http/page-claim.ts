import { Allow } from 'class-validator';
import { ClaimValue } from './accepted-text';

// A mixin's base must be a constructor of any arguments (TS2545).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Constructor = new (...args: any[]) => object;

/**
 * `base` with the claim fields as a page sends them: the widget's calls and the admin's claim check take a
 * claim alike, so the claim check's verdict is the one the page gets.
 */
export function WithPageClaim<Base extends Constructor>(base: Base) {
  class PageClaim extends base {
    /** Taken whatever its type or bytes: a malformed claim is reduced at the gateway and dropped by the verifier, never a 400. */
    @Allow()
    @ClaimValue()
    user_id?: unknown;

    @Allow()
    @ClaimValue()
    user_hash?: unknown;

    /** A compact JWS (HS256) in place of user_id and user_hash (docs/identity-jwt.md); never a 400 either. */
    @Allow()
    @ClaimValue()
    user_jwt?: unknown;
  }
  return PageClaim;
}
