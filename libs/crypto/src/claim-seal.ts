import { KeyRing, openBytes, sealBytes } from './secret-box';

/**
 * A claim as it travels in `message.inbound` from the gateway to the verifier: AES-256-GCM under
 * the claim key ring (INVIARO_CLAIM_KEYS), base64 fields so that it fits a JSON event. The bus,
 * its store on disk and its dead letters see only this.
 */
export interface SealedClaim {
  kid: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/** What a sealed claim is bound to: the event that carries it, for that widget and visitor. */
export interface ClaimBinding {
  eventId: string;
  widgetId: string;
  visitorId: string;
}

/** A sealed claim that did not open: unknown key, tampered bytes, or moved to another event. Says nothing of its content. */
export class UnopenableClaimError extends Error {
  override readonly name = 'UnopenableClaimError';
}

// A JSON array: no id can spell another binding.
function associatedData({ eventId, widgetId, visitorId }: ClaimBinding): Buffer {
  return Buffer.from(JSON.stringify(['inviaro.claim.v1', eventId, widgetId, visitorId]), 'utf8');
}

export function sealClaim(ring: KeyRing, claim: object, binding: ClaimBinding): SealedClaim {
  const sealed = sealBytes(ring, JSON.stringify(claim), associatedData(binding));
  return { kid: sealed.keyId, iv: sealed.iv.toString('base64'), ciphertext: sealed.ciphertext.toString('base64'), tag: sealed.tag.toString('base64') };
}

/** The claim as the gateway sealed it (parsed JSON, shape unchecked), or UnopenableClaimError. */
export function openClaim(ring: KeyRing, sealed: unknown, binding: ClaimBinding): unknown {
  const fields = sealed as Partial<Record<keyof SealedClaim, unknown>> | null;
  const { kid, iv, ciphertext, tag } = fields ?? {};
  if (typeof kid !== 'string' || typeof iv !== 'string' || typeof ciphertext !== 'string' || typeof tag !== 'string') {
    throw new UnopenableClaimError('the sealed claim lacks kid, iv, ciphertext or tag');
  }
  try {
    const plaintext = openBytes(
      ring,
      { keyId: kid, iv: Buffer.from(iv, 'base64'), ciphertext: Buffer.from(ciphertext, 'base64'), tag: Buffer.from(tag, 'base64') },
      associatedData(binding),
    );
    return JSON.parse(plaintext.toString('utf8'));
  } catch {
    throw new UnopenableClaimError(`the sealed claim of event ${binding.eventId} does not open under claim key ${kid.slice(0, 64)}`);
  }
}
