import { CliSettings } from './cli.settings';
import { ContactsConfig } from './contacts.config';
import { GatewayConfig } from './gateway.config';
import { DescribedSetting, settingsOf } from './setting';
import { VerifierConfig } from './verifier.config';

/** Every configuration class of the system, in the order the README's table lists them. */
const CONFIGURATIONS = [GatewayConfig, VerifierConfig, ContactsConfig, CliSettings];

/** Every variable once: a setting two classes share (they inherit it) is listed where it is declared. */
export function allSettings(): DescribedSetting[] {
  const seen = new Map<string, DescribedSetting>();
  for (const cls of CONFIGURATIONS) for (const setting of settingsOf(cls)) if (!seen.has(setting.name)) seen.set(setting.name, setting);
  return [...seen.values()];
}

/** The README's configuration table, rendered from the declarations (`npm run settings:table` prints it). */
export function settingsTable(): string {
  const rows = allSettings().map(
    (setting) =>
      `| \`${setting.name}\` | ${setting.usedBy} | ${setting.defaultText} | ${setting.sensitive ? '**secret** (never printed or logged): ' : ''}${setting.description} |`,
  );
  return ['| variable | used by | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
