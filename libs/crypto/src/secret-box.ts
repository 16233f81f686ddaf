import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
// Fixed, so a truncated tag read back from storage is refused instead of weakening the check.
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A widget secret sealed at rest: which master key, and the AES-256-GCM output. */
export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** What a sealed secret is bound to: opening it for another widget or version fails. */
export interface SecretBinding {
  widgetId: string;
  version: number;
}

/** A key ring (the master keys, the claim keys): the newest (last) seals, every one opens. Error messages never hold key material. */
export class KeyRing {
  // An ES private field, so inspecting or logging a ring (util.inspect, JSON) shows no key bytes.
  readonly #keys: ReadonlyMap<string, Buffer>;

  private constructor(
    keys: ReadonlyMap<string, Buffer>,
    readonly currentKeyId: string,
    private readonly what: string,
  ) {
    this.#keys = keys;
  }

  /** From `kid1:base64key,kid2:base64key`, newest last; `what` names its keys in errors. */
  static parse(text: string, what = 'master key'): KeyRing {
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new Error('the key ring is empty');
    const keys = new Map<string, Buffer>();
    let newest = '';
    entries.forEach((entry, index) => {
      const [kid, base64, ...rest] = entry.split(':');
      if (rest.length > 0 || kid === undefined || !KEY_ID.test(kid) || base64 === undefined || !BASE64.test(base64)) {
        throw new Error(`entry ${index + 1} of the key ring is not kid:base64 (kid of letters, digits, _ . -)`);
      }
      const key = Buffer.from(base64, 'base64');
      if (key.length !== KEY_BYTES) throw new Error(`${what} ${kid} is ${key.length} bytes, not ${KEY_BYTES}`);
      if (keys.has(kid)) throw new Error(`${what} id ${kid} appears twice in the key ring`);
      keys.set(kid, key);
      newest = kid;
    });
    return new KeyRing(keys, newest, what);
  }

  key(keyId: string): Buffer {
    const key = this.#keys.get(keyId);
    if (!key) throw new Error(`no ${this.what} ${keyId} in the key ring`);
    return key;
  }
}

/** A new master key, base64, for `kid:key` in INVIARO_MASTER_KEYS. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

// Version last and numeric, so no widget id can spell another binding.
function associatedData({ widgetId, version }: SecretBinding): Buffer {
  return Buffer.from(`inviaro.widget-secret.v1|${widgetId}|${version}`, 'utf8');
}

/** AES-256-GCM under the ring's newest key with a fresh IV; `aad` is what the output is bound to. */
export function sealBytes(ring: KeyRing, plaintext: Buffer | string, aad: Buffer): SealedSecret {
  const keyId = ring.currentKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(CIPHER, ring.key(keyId), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext), cipher.final()]);
  return { keyId, iv, ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext bytes; throws (without detail) when the key, the tag or the binding is wrong. */
export function openBytes(ring: KeyRing, sealed: SealedSecret, aad: Buffer): Buffer {
  const decipher = createDecipheriv(CIPHER, ring.key(sealed.keyId), sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}

export function sealSecret(ring: KeyRing, plaintext: string, binding: SecretBinding): SealedSecret {
  return sealBytes(ring, plaintext, associatedData(binding));
}

/** The plaintext, or an error naming widget, version and key id when anything about the sealed value is wrong. */
export function openSecret(ring: KeyRing, sealed: SealedSecret, binding: SecretBinding): string {
  ring.key(sealed.keyId); // a key missing from the ring is its own error, not an authentication failure
  try {
    return openBytes(ring, sealed, associatedData(binding)).toString('utf8');
  } catch {
    throw new Error(`widget secret ${binding.widgetId} v${binding.version} failed authentication under master key ${sealed.keyId}`);
  }
}
