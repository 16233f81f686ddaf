import { REPO_ROOT } from '@inviaro/test-harness';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Redis and PostgreSQL passwords are generated (npm start keeps its own in .run/, the harness makes new ones per
// server set, compose takes them from its environment): none is written in the repository, where anyone has it.
describe('the repository', () => {
  test('holds no fixed password for Redis or PostgreSQL', () => {
    // A literal password: in a connection URL, a Redis command line or configuration, a role or a container's environment.
    // Allowed in its place: a variable or an interpolation (`$VAR`, `${...}`) or a placeholder (`…`, `password`, `pass`).
    const patterns = [
      /inviaro-local/,
      /(redis|rediss|postgres|postgresql):\/\/[^:/@\s]*:(?!…|password@|pass@)[^\s'"`@/$]+@/,
      /requirepass\s+(?!\$)\S/,
      /requirepass['"],\s*['"](?!\$)/,
      /^\s*-?\s*POSTGRES_PASSWORD[:=] *(?!\$)\S/,
      /PASSWORD '(?!\$|…')[^']+'/,
    ];
    // Every tracked text file but this one, which holds the patterns.
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && file !== 'test/ops/fixed-passwords.test.ts' && !/\.(png|svg|lock)$|package-lock\.json$/.test(file));
    const found = files.flatMap((file) =>
      readFileSync(join(REPO_ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (patterns.some((pattern) => pattern.test(line)) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
