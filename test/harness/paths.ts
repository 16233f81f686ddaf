import { join, sep } from 'node:path';

/** The repository, whether this file runs from source (tests) or from dist/ (the start command). */
export const REPO_ROOT = __dirname.includes(`${sep}dist${sep}`) ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');

/** The build: the harness runs the real service processes, as production does. */
export const DIST = join(REPO_ROOT, 'dist');
