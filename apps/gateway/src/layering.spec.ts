import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** The gateway's folders (a file at the top counts as one of its own) and the folders each one imports from. */
function folderImports(): Map<string, Set<string>> {
  const root = __dirname;
  const graph = new Map<string, Set<string>>();
  const folderOf = (file: string) => {
    const [top, ...below] = relative(root, file).split('/');
    return below.length ? top! : top!.replace(/\.ts$/, '');
  };
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.spec.ts')) continue;
    const file = join(root, entry);
    const from = folderOf(file);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const [, path] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(resolve(dirname(file), path!));
      if (to !== from) targets.add(to);
    }
  }
  return graph;
}

/** A chain of folders that leads back to its start, if any. */
function cycle(graph: Map<string, Set<string>>): string[] | undefined {
  const visit = (path: string[]): string[] | undefined => {
    for (const next of graph.get(path[path.length - 1]!) ?? []) {
      if (next === path[0]) return [...path, next];
      if (!path.includes(next)) {
        const found = visit([...path, next]);
        if (found) return found;
      }
    }
    return undefined;
  };
  for (const start of graph.keys()) {
    const found = visit([start]);
    if (found) return found;
  }
  return undefined;
}

describe('the gateway’s folders', () => {
  it('import one way: no folder imports, directly or not, a folder that imports it', () => {
    expect(cycle(folderImports())).toBeUndefined();
  });
});
