import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as adminApi from './admin-api.answers';
import { describedFields } from './field';
import * as widgetApi from './widget-api.answers';

const REPOSITORY = join(__dirname, '..', '..', '..', '..');
const ANSWERS = relative(REPOSITORY, __dirname);

/**
 * Where a type of one of these names is declared in the code that reads or writes these answers (tests
 * left out). The widget's script is bundled for the browser and imports no lib, so it keeps its own.
 */
const READERS = ['apps/gateway', 'apps/contacts', 'apps/demo', 'apps/cli', 'libs/contracts'];

/** Each declaration among the readers of a type of one of these names, as `Name in file`. */
function declarationsOf(names: string[]): string[] {
  const declaration = new RegExp(`\\b(?:interface|class|type)\\s+(${names.join('|')})\\b`, 'g');
  const found: string[] = [];
  for (const top of READERS) {
    for (const entry of readdirSync(join(REPOSITORY, top), { recursive: true, encoding: 'utf8' })) {
      if (!entry.endsWith('.ts') || entry.endsWith('.spec.ts') || entry.includes('node_modules')) continue;
      const file = join(top, entry);
      for (const [, name] of readFileSync(join(REPOSITORY, file), 'utf8').matchAll(declaration)) found.push(`${name} in ${file}`);
    }
  }
  return found;
}

describe('the answers of the widget and admin APIs', () => {
  const names = Object.keys({ ...widgetApi, ...adminApi });

  it('are declared once, here: the gateway, the contacts service, the demo and the CLI use these', () => {
    expect(declarationsOf(names).filter((where) => !where.includes(` in ${ANSWERS}/`))).toEqual([]);
  });

  it('describe every field they declare, so the OpenAPI document names them all', () => {
    const described = new Set(describedFields().map(({ answer, property }) => `${answer.name}.${property}`));
    expect(described).toContain('StoredMessage.author');
    expect(described).toContain('SecretStatus.previous_secret');
    expect(described.size).toBeGreaterThan(names.length);
  });
});
