import { createHash, randomBytes } from 'node:crypto';

/** A bearer credential: random, prefixed so a leaked one is recognisable, and stored only as its SHA-256. */
export function newToken(prefix: 'at' | 'vt'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** A widget's public key, as it sits in customers' pages. */
export function newWidgetKey(): string {
  return `wt_${randomBytes(12).toString('hex')}`;
}
