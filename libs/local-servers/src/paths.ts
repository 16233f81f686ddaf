import { join, sep } from 'node:path';

/** The repository, whether this file runs from source (tests) or from dist/ (the start command). */
export const REPO_ROOT = __dirname.includes(`${sep}dist${sep}`) ? join(__dirname, '..', '..', '..', '..') : join(__dirname, '..', '..', '..');

/** The build: the services run as real processes from it, as production runs them. */
export const DIST = join(REPO_ROOT, 'dist');
