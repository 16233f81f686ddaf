import { createHash, randomUUID } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts. Publishing the same logical event twice (a redelivered
 * input, a retried HTTP call) yields the same id, which JetStream de-duplicates on.
 */
export function deterministicId(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version nibble 8 (RFC 9562 "custom"), variant bits 10.
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function newId(): string {
  return randomUUID();
}
