import { settingsTable } from './settings-table';

/** The line above the README's configuration table: what follows it, up to a blank line, is generated. */
export const TABLE_MARKER = '<!-- generated from libs/config (npm run settings:table -- --write); libs/config/src/settings-table.spec.ts checks it -->';

/** The README's table as it stands, or undefined where the marker is missing. */
export function readmeTable(readme: string): string | undefined {
  const start = readme.indexOf(`${TABLE_MARKER}\n`);
  if (start < 0) return undefined;
  const from = start + TABLE_MARKER.length + 1;
  const end = readme.indexOf('\n\n', from);
  return readme.slice(from, end < 0 ? undefined : end);
}

/** The README with its table rendered afresh from the declarations. */
export function withFreshTable(readme: string): string {
  const table = readmeTable(readme);
  if (table === undefined) throw new Error(`the README has no line ${TABLE_MARKER}`);
  return readme.replace(`${TABLE_MARKER}\n${table}`, `${TABLE_MARKER}\n${settingsTable()}`);
}
