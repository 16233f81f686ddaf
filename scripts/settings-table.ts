import { settingsTable, withFreshTable } from '@inviaro/config';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prints the README's configuration table from libs/config; with --write, puts it into the README. */
const readmePath = join(__dirname, '..', '..', 'README.md');
if (process.argv.includes('--write')) writeFileSync(readmePath, withFreshTable(readFileSync(readmePath, 'utf8')));
else process.stdout.write(`${settingsTable()}\n`);
