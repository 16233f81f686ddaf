import 'reflect-metadata';
import { runMigrations } from '@inviaro/persistence';
import { Command } from 'commander';

const program = new Command('inviaro').description('Inviaro operator commands').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (DATABASE_URL)')
  .action(async () => {
    const applied = await runMigrations(requireEnv('DATABASE_URL'));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  });

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

program.parseAsync().catch((error: unknown) => {
  console.error(`inviaro: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
