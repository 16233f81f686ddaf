/**
 * Where a process's CPU went: the self time of each V8 CPU profile (.cpuprofile, from `--cpu-prof`)
 * in a folder, by package (node_modules/<package>, node's own, our code; also with what each calls) and
 * by function, top first.
 *
 *   node dist/test/bench/profile-summary.js /tmp/prof [top=15]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const NODE = 'node (JavaScript)';
const V8 = '(V8: gc, program)';
const NATIVE = 'native (socket and file writes, crypto, ...)';

/** Where a function lives: a package under node_modules, node's JavaScript, V8's own states, native code, or our dist/. */
function origin({ functionName, url }: ProfileNode['callFrame']): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage?.[1]) return inPackage[1];
  if (url.startsWith('node:')) return NODE;
  if (url === '') return functionName.startsWith('(') ? V8 : NATIVE;
  return /dist\/((?:apps|libs|test)\/[^/]+)/.exec(url)?.[1] ?? url;
}

function top(totals: Map<string, number>, all: number, count: number): string[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`);
}

function summarize(file: string, count: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const onStack = new Map<string, number>();
  const parentOf = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const)));
  let all = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    const { functionName, url, lineNumber } = frame;
    const us = profile.timeDeltas[i] ?? 0;
    if (functionName === '(idle)') return;
    all += us;
    const name = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byOrigin.set(origin(frame), (byOrigin.get(origin(frame)) ?? 0) + us);
    const origins = new Set<string>();
    // Up to, not including, the root; node's and native frames (the event loop, microtasks) are on nearly every stack.
    for (let node = id; parentOf.has(node); node = parentOf.get(node)!) origins.add(origin(byId.get(node)!.callFrame));
    for (const generic of [NODE, V8, NATIVE]) origins.delete(generic);
    for (const name of origins) onStack.set(name, (onStack.get(name) ?? 0) + us);
  });
  return [
    `${file}: ${(all / 1000).toFixed(0)} ms of CPU (idle excluded)`,
    ' by package (self time):',
    ...top(byOrigin, all, 10),
    ' packages and our code on the stack (own time and what they call):',
    ...top(onStack, all, 12),
    ' by function (self time):',
    ...top(byFunction, all, count),
  ].join('\n');
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node dist/test/bench/profile-summary.js <folder of .cpuprofile files> [count]');
const count = Number(process.argv[3] ?? 15);
for (const name of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) console.log(`${summarize(join(dir, name), count)}\n`);
