import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The digest a customer's server puts in the page: hex(HMAC-SHA256(secret, userId)), keyed with
 * the UTF-8 bytes of the secret's hex text exactly as every snippet in the customer docs does.
 */
export function userHash(userId: string, widgetSecret: string): string {
  return createHmac('sha256', widgetSecret).update(userId, 'utf8').digest('hex');
}

const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/** Constant-time comparison of two hex SHA-256 digests, either case; false (never a throw) for anything else. */
export function digestsMatch(expectedHex: string, givenHex: string): boolean {
  if (!HEX_DIGEST.test(expectedHex) || !HEX_DIGEST.test(givenHex)) return false;
  return timingSafeEqual(Buffer.from(expectedHex, 'hex'), Buffer.from(givenHex, 'hex'));
}
