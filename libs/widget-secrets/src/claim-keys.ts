import { ClaimBinding, KeyRing, openClaim, SealedClaim, sealClaim } from '@inviaro/crypto';

/**
 * The claim key ring (INVIARO_CLAIM_KEYS) of the two services that see a claim: the gateway seals
 * the claim of each message.inbound event with the newest key, the verifier opens it with any key.
 */
export class ClaimKeys {
  readonly #ring: KeyRing;

  constructor(ring: KeyRing) {
    this.#ring = ring;
  }

  /** Null stays null: an event without a claim carries no seal. */
  seal(claim: object | null, binding: ClaimBinding): SealedClaim | null {
    return claim === null ? null : sealClaim(this.#ring, claim, binding);
  }

  /** The claim, null when the event carried none; throws UnopenableClaimError when the seal does not open. */
  open(sealed: unknown, binding: ClaimBinding): unknown {
    return sealed === null || sealed === undefined ? null : openClaim(this.#ring, sealed, binding);
  }
}
