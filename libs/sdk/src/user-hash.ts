import { createHmac } from 'node:crypto';

/**
 * The `user_hash` a customer's server embeds in the page for a logged-in user: hex(HMAC-SHA256(secret, userId)),
 * the docs' Node function (Identity verification → Server-side examples → Node) as a package.
 *
 * The secret defaults to `process.env.INVIARO_WIDGET_SECRET`. Call it only for the user the request
 * has authenticated, and never in the browser: the secret must stay on the server.
 *
 * Throws on an empty userId (as the docs' function does) and on a missing or empty secret: an empty
 * HMAC key would sign anything for anyone.
 */
export function inviaroUserHash(userId: string, secret: string | undefined = process.env.INVIARO_WIDGET_SECRET): string {
  if (!userId) throw new Error('userId required');
  if (!secret) throw new Error('widget secret required: pass it or set INVIARO_WIDGET_SECRET');
  return createHmac('sha256', secret).update(userId).digest('hex');
}
