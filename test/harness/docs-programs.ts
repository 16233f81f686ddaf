import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { REPO_ROOT } from '@inviaro/local-servers';

/**
 * The customer docs in this repository are the source of the server snippets: each program in
 * test/conformance/snippets/ is
 * only our main around a marker line, `docs: <file> § <section heading> (<fence language>)`, which this
 * replaces with the first block of that language in that section of that file, as a customer copies it.
 */
const MARKER = /^.*docs: (\S+) § (.+) \((\w+)\)\s*$/m;

/** The programs' templates: our mains, each around a marker line. */
export const SNIPPETS = join(REPO_ROOT, 'test', 'conformance', 'snippets');

/** The text of the first ```language block under the `## section` heading of a doc (path from the repository's root). */
export function docsBlock(doc: string, section: string, language: string): string {
  const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`${doc}: no section "## ${section}"`);
  const end = text.indexOf('\n## ', start + 1);
  const block = new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm').exec(text.slice(start, end < 0 ? undefined : end));
  if (!block) throw new Error(`${doc} § ${section}: no \`\`\`${language} block`);
  return block[1]!;
}

/** A folder for the programs; the repository's node_modules beside them, for the docs' `require('jsonwebtoken')`. */
let folder: string | undefined;
function programsFolder(): string {
  if (!folder) {
    folder = mkdtempSync(join(tmpdir(), 'inviaro-docs-programs-'));
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'));
  }
  return folder;
}

/** A runnable program: the template from snippets/ with the docs' block in place of its marker line. Its path. */
export function docsProgram(template: string): string {
  const text = readFileSync(join(SNIPPETS, template), 'utf8');
  const marker = MARKER.exec(text);
  if (!marker) throw new Error(`${template}: no "docs: <file> § <section> (<language>)" line`);
  const [line, doc, section, language] = marker as unknown as [string, string, string, string];
  const path = join(programsFolder(), basename(template));
  writeFileSync(
    path,
    text.replace(line, () => docsBlock(doc, section, language)),
  );
  return path;
}

/** Removes the programs made (a suite's afterAll). */
export function removeDocsPrograms(): void {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}
