import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_BYTES = 32;
const IV_BYTES = 12;

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

/** The master keys: the newest (last) seals, every one opens. Error messages never hold key material. */
export class KeyRing {
  private constructor(
    private readonly keys: Map<string, Buffer>,
    readonly currentKeyId: string,
  ) {}

  /** From `kid1:base64key,kid2:base64key`, newest last. */
  static parse(text: string): KeyRing {
    const entries = text
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    if (entries.length === 0) throw new Error('the key ring is empty');
    const keys = new Map<string, Buffer>();
    entries.forEach((entry, index) => {
      const match = /^([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9+/]+={0,2})$/.exec(entry);
      if (!match) throw new Error(`entry ${index + 1} is not kid:base64`);
      const [, kid, base64] = match;
      const key = Buffer.from(base64, 'base64');
      if (key.length !== KEY_BYTES) throw new Error(`key ${kid} is ${key.length} bytes, not ${KEY_BYTES}`);
      if (keys.has(kid)) throw new Error(`key id ${kid} appears twice`);
      keys.set(kid, key);
    });
    return new KeyRing(keys, [...keys.keys()].pop()!);
  }

  key(keyId: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no master key ${keyId} in the key ring`);
    return key;
  }
}

/** A new master key, base64, for `kid:key` in INVIARO_MASTER_KEYS. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function associatedData({ widgetId, version }: SecretBinding): Buffer {
  return Buffer.from(`inviaro.widget-secret.v1|${widgetId}|${version}`);
}

export function sealSecret(ring: KeyRing, plaintext: string, binding: SecretBinding): SealedSecret {
  const keyId = ring.currentKeyId;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.key(keyId), iv);
  cipher.setAAD(associatedData(binding));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { keyId, iv, ciphertext, tag: cipher.getAuthTag() };
}

export function openSecret(ring: KeyRing, sealed: SealedSecret, binding: SecretBinding): string {
  const decipher = createDecipheriv('aes-256-gcm', ring.key(sealed.keyId), sealed.iv);
  decipher.setAAD(associatedData(binding));
  decipher.setAuthTag(sealed.tag);
  try {
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(`widget secret ${binding.widgetId} v${binding.version} failed authentication under key ${sealed.keyId}`);
  }
}
