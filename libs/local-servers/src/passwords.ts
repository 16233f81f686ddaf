import { DATABASE_ROLES, DatabaseRole } from '@inviaro/persistence';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The passwords of one set of local servers: Redis's, PostgreSQL's superuser (bootstrap only) and each database role's. */
export interface ServerPasswords {
  redis: string;
  postgres: string;
  roles: Record<DatabaseRole, string>;
}

/** 192 random bits, URL-safe: fits a URL, a command line and a configuration file unquoted. */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** New passwords for every server and role (the test harness: one set per server set). */
export function freshPasswords(): ServerPasswords {
  return {
    redis: randomPassword(),
    postgres: randomPassword(),
    roles: Object.fromEntries(DATABASE_ROLES.map((role) => [role, randomPassword()])) as Record<DatabaseRole, string>,
  };
}

/**
 * The passwords kept in `file` (readable by this user only), made there on first use: the start
 * command's PostgreSQL keeps its data across runs, and with it the passwords it was made with.
 */
export function keptPasswords(file: string): ServerPasswords {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ServerPasswords;
  const passwords = freshPasswords();
  writeFileSync(file, JSON.stringify(passwords, null, 2), { mode: 0o600, flag: 'wx' });
  return passwords;
}
