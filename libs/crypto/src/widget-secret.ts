import { randomBytes } from 'node:crypto';

/** 32 random bytes as 64 lowercase hex characters: the form customers paste into their environment. */
export function generateWidgetSecret(): string {
  return randomBytes(32).toString('hex');
}
