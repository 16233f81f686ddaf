import 'reflect-metadata';
import { generateMasterKey, KeyRing } from '@inviaro/crypto';
import { createWorkspace, runMigrations, withPool } from '@inviaro/persistence';
import { WidgetSecretVault } from '@inviaro/widget-secrets';
import { Command } from 'commander';
import { registerAdminCommands } from './admin';
import { registerContactCommands } from './admin/contact-commands';
import { requireEnv, useRunningSystem } from './environment';
import { registerEventCommands } from './events';

useRunningSystem();

const program = new Command('inviaro').description('Inviaro operator commands').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (DATABASE_URL)')
  .action(async () => {
    const applied = await runMigrations(requireEnv('DATABASE_URL'));
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
  });

const workspace = program.command('workspace').description('workspaces and their admin tokens');
workspace
  .command('create')
  .description('create a workspace and its first admin token (shown once)')
  .requiredOption('--name <name>', 'the workspace name')
  .option('--json', 'print {"workspace_id", "admin_token"} as JSON')
  .action((options: { name: string; json?: boolean }) =>
    withPool(requireEnv('DATABASE_URL'), async (db) => {
      const created = await createWorkspace(db, options.name);
      console.log(options.json ? JSON.stringify(created) : `workspace ${created.workspace_id}\nadmin token (shown once): ${created.admin_token}`);
    }),
  );

const secrets = program.command('secrets').description('widget secrets at rest');
secrets
  .command('new-master-key')
  .description('print a new key entry (kid:base64 of 32 random bytes) to append to INVIARO_MASTER_KEYS or INVIARO_CLAIM_KEYS')
  .requiredOption('--kid <kid>', 'the key id, e.g. k2026-11')
  .action((options: { kid: string }) => {
    const entry = `${options.kid}:${generateMasterKey()}`;
    // Through the services' own parser: an entry they would refuse on start is refused here, before anyone appends it.
    try {
      KeyRing.parse(entry);
    } catch (error) {
      throw new Error(`--kid ${JSON.stringify(options.kid)}: ${error instanceof Error ? error.message : String(error)}`);
    }
    console.log(entry);
  });
secrets
  .command('reseal')
  .description('re-encrypt every widget secret under the newest key of INVIARO_MASTER_KEYS (safe while the system runs)')
  .action(() =>
    withPool(requireEnv('DATABASE_URL'), async (db) => {
      const ring = KeyRing.parse(requireEnv('INVIARO_MASTER_KEYS'));
      const count = await new WidgetSecretVault(db, ring).resealAll();
      console.log(`resealed ${count} secret(s) under ${ring.currentKeyId}`);
    }),
  );

registerEventCommands(program);
registerAdminCommands(program);
registerContactCommands(program);

program.parseAsync().catch((error: unknown) => {
  console.error(`inviaro: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
