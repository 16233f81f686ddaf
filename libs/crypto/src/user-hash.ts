import { BinaryLike, createHmac, timingSafeEqual } from 'node:crypto';

/** HMAC-SHA256, the one primitive behind user hashes (and what the RFC 4231 vectors check). */
export function hmacSha256(key: BinaryLike, message: BinaryLike): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/**
 * The digest a customer's server puts in the page: hex(HMAC-SHA256(secret, userId)), keyed with
 * the UTF-8 bytes of the secret's hex text exactly as every snippet in the customer docs does.
 */
export function userHash(userId: string, widgetSecret: string): string {
  return hmacSha256(Buffer.from(widgetSecret, 'utf8'), Buffer.from(userId, 'utf8')).toString('hex');
}

/** A hex SHA-256 digest, either case: what a well-formed `user_hash` looks like. */
export function isHexDigest(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/i.test(value);
}

/** Constant-time comparison of two hex SHA-256 digests, either case; false (never a throw) for anything else. */
export function digestsMatch(expectedHex: string, givenHex: string): boolean {
  if (!isHexDigest(expectedHex) || !isHexDigest(givenHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(givenHex, 'hex'));
}
