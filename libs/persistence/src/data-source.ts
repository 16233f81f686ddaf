import { DataSource } from 'typeorm';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { SecretsAdminTokensFailures1764000001000 } from './migrations/1764000001000-secrets-admin-tokens-failures';
import { ContactFoldTime1764000002000 } from './migrations/1764000002000-contact-fold-time';
import { AttributionTimeline1764000003000 } from './migrations/1764000003000-attribution-timeline';
import { FailureFolding1764000004000 } from './migrations/1764000004000-failure-folding';
import { IdentityPolicyStagedSecrets1764000005000 } from './migrations/1764000005000-identity-policy-staged-secrets';
import { SignedAttributes1764000006000 } from './migrations/1764000006000-signed-attributes';
import { ServiceRoleGrants1765000001000 } from './migrations/1765000001000-service-role-grants';
import { FailureFoldByVisitor1765000002000 } from './migrations/1765000002000-failure-fold-by-visitor';
import { AdminTokenRoles1765000010000 } from './migrations/1765000010000-admin-token-roles';
import { AuditLog1765000011000 } from './migrations/1765000011000-audit-log';
import { WidgetDeletion1765000012000 } from './migrations/1765000012000-widget-deletion';
import { SupportSearch1765000030000 } from './migrations/1765000030000-support-search';
import { ReadPathIndexes1765000050000 } from './migrations/1765000050000-read-path-indexes';
import { ContactEmailStatistics1765000060000 } from './migrations/1765000060000-contact-email-statistics';
import { ContactErasure1765000020000 } from './migrations/1765000020000-contact-erasure';
import { IdentityRequired1765000040000 } from './migrations/1765000040000-identity-required';
import { VerificationCounts1765000041000 } from './migrations/1765000041000-verification-counts';

const MIGRATIONS = [
  InitialSchema1764000000000,
  SecretsAdminTokensFailures1764000001000,
  ContactFoldTime1764000002000,
  AttributionTimeline1764000003000,
  FailureFolding1764000004000,
  IdentityPolicyStagedSecrets1764000005000,
  SignedAttributes1764000006000,
  ServiceRoleGrants1765000001000,
  FailureFoldByVisitor1765000002000,
  AdminTokenRoles1765000010000,
  AuditLog1765000011000,
  WidgetDeletion1765000012000,
  SupportSearch1765000030000,
  ReadPathIndexes1765000050000,
  ContactEmailStatistics1765000060000,
  ContactErasure1765000020000,
  IdentityRequired1765000040000,
  VerificationCounts1765000041000,
];

/** TypeORM runs the migrations, and only them: queries go through sql.ts (docs/data-model.md#data-access). */
function migrationDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    // The schema changes only through migrations.
    synchronize: false,
    extra: { max: 1 },
  });
}

/** An arbitrary constant: the key of the advisory lock that serialises concurrent migration runs. */
const MIGRATION_LOCK = 7_130_411;

/** Applies pending migrations; safe to run from several processes at once. */
export async function runMigrations(url: string): Promise<string[]> {
  const dataSource = await migrationDataSource(url).initialize();
  try {
    await dataSource.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
