import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// Every rule the code and docs cite is in the repository's own docs: a markdown link resolves to a file of
// the repository (and its #anchor to a heading there), and nothing cites the spec that stays outside it
// (CONTRACT.md, ../shared/): its promises are in docs/customer-promise.md and docs/api.md.
const ROOT = resolve(__dirname, '..', '..');
const tracked = (...patterns: string[]) =>
  execFileSync('git', ['ls-files', '--', ...patterns], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);
const MARKDOWN = tracked('*.md');

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')));
}

/** `[text](target)` outside code blocks; not web addresses. */
function linksIn(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '').filter((target) => !/^[a-z]+:/.test(target));
}

describe('the docs', () => {
  it('have markdown files to check', () => {
    expect(MARKDOWN).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/customer-promise.md']));
  });

  it.each(MARKDOWN)('%s: every link names a file of the repository, and a heading there', (file) => {
    const broken: string[] = [];
    for (const link of linksIn(file)) {
      const [path = '', anchor] = link.split('#');
      const target = path ? resolve(ROOT, dirname(file), decodeURI(path)) : join(ROOT, file);
      const inside = !relative(ROOT, target).startsWith('..');
      if (!inside || !existsSync(target)) broken.push(`${link}: no such file in the repository`);
      else if (anchor && statSync(target).isFile() && target.endsWith('.md') && !anchorsIn(relative(ROOT, target)).has(anchor))
        broken.push(`${link}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it('a doc cited by its path in code or docs exists, with the heading the citation names', () => {
    const broken: string[] = [];
    for (const file of tracked('*.md', '*.ts', '*.mjs', '*.js', '*.sh', '*.yml')) {
      for (const [, doc = '', anchor] of readFileSync(join(ROOT, file), 'utf8').matchAll(/(?<![\w/.-])((?:docs\/[\w/.-]+|README)\.md)(?:#([\w-]+))?/g)) {
        if (!existsSync(join(ROOT, doc))) broken.push(`${file}: ${doc}`);
        else if (anchor && !anchorsIn(doc).has(anchor)) broken.push(`${file}: ${doc}#${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the repository cites the spec kept outside it', () => {
    const self = relative(ROOT, __filename);
    const citing = tracked('*.md', '*.ts', '*.mjs', '*.js').filter(
      (file) => file !== self && /CONTRACT\.md|\.\.\/shared\//.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(citing).toEqual([]);
  });
});
