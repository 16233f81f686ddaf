import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommonConfig } from './common.config';
import { loadConfig } from './load-config';
import { readmeTable } from './readme-table';
import { allSettings, settingsTable } from './settings-table';

describe('every setting once, with its metadata', () => {
  it('is what the README’s configuration table says: the table is rendered from the declarations', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    expect(readmeTable(readme)).toBe(settingsTable());
  });

  it('lists each variable once, each with a meaning, who reads it and a default', () => {
    const names = allSettings().map((setting) => setting.name);
    expect(new Set(names).size).toBe(names.length);
    for (const setting of allSettings())
      expect([setting.name, setting.description.length > 10, setting.usedBy.length > 0, setting.defaultText.length > 0]).toEqual([
        setting.name,
        true,
        true,
        true,
      ]);
  });

  it('declares every variable a configuration class validates, so none is read without its row', () => {
    const declared = new Set(allSettings().map((setting) => setting.name));
    const validated = Object.keys(loadConfig(CommonConfig, {}));
    expect(validated.filter((name) => !declared.has(name))).toEqual([]);
  });

  it('marks the credentials sensitive', () => {
    const sensitive = allSettings()
      .filter((setting) => setting.sensitive)
      .map((setting) => setting.name);
    expect(sensitive).toEqual(
      expect.arrayContaining(['NATS_PASSWORD', 'DATABASE_URL', 'REDIS_URL', 'INVIARO_MASTER_KEYS', 'INVIARO_CLAIM_KEYS', 'INVIARO_ADMIN_TOKEN']),
    );
  });
});
