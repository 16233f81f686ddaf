import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@inviaro/local-servers';

/** The operator's command line, from the build (`npm run build`), as `npx inviaro` runs it. */
export const CLI = join(REPO_ROOT, 'bin', 'inviaro.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `inviaro <args>` to its end with exactly this environment. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliRun> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { env, cwd, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
