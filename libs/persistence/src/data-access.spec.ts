import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');
/** Product code: what the services, the CLI and the start command run. */
const PRODUCT_DIRS = ['apps', 'libs', 'scripts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [relative(ROOT, path)] : [];
  });
}

const importers = (pattern: RegExp) =>
  PRODUCT_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir))).filter((file) => pattern.test(readFileSync(join(ROOT, file), 'utf8')));

// docs/data-model.md#data-access: one typed SQL path over one pool per service.
describe('data access', () => {
  it('uses TypeORM only to run the migrations', () => {
    const allowed = (file: string) => file === 'libs/persistence/src/data-source.ts' || file.startsWith('libs/persistence/src/migrations/');
    expect(importers(/from '(typeorm|@nestjs\/typeorm)(\/[^']*)?'/).filter((file) => !allowed(file))).toEqual([]);
  });

  it('sends every query through the helpers of libs/persistence/src/sql.ts, never a pg client of its own', () => {
    const allowed = new Set(['libs/persistence/src/sql.ts', 'libs/persistence/src/postgres-pool.ts']);
    expect(importers(/\b(PoolClient|new Pool\(|createQueryRunner|postgresPool)\b/).filter((file) => !allowed.has(file))).toEqual([]);
  });
});
