import { applyRunSettings, readRunSettings, runDir } from '@inviaro/config';
import { join } from 'node:path';

/** The checkout this CLI was built in (it runs from dist/apps/cli/src/). */
const CHECKOUT = join(__dirname, '..', '..', '..', '..');

/** Where `npm start` leaves the running system's settings. */
const RUN_DIR = runDir(CHECKOUT);

/** Takes the settings `npm start` left in .run/ for every variable the environment does not set. */
export function useRunningSystem(): void {
  applyRunSettings(readRunSettings(RUN_DIR));
}

/** What to do when a setting is missing: export it, or start the system in this checkout. */
export const HOW_TO_SET = `export it, or run \`npm start\` in this checkout, whose settings in ${RUN_DIR}/ are then used`;

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: ${HOW_TO_SET}`);
  return value;
}
