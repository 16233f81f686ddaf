/** What a benchmark reads about a process from /proc: resident memory and CPU time. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

export function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

/** The fields after the command name, which may itself hold spaces: ppid is [1], utime [11], stime [12], cutime [13], cstime [14]. */
function statFields(pid: number | string): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined; // it exited meanwhile
  }
}

/** User plus system CPU time of a process so far, in milliseconds. */
export function cpuMs(pid: number | undefined): number {
  const fields = statFields(pid!)!;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
}

/**
 * CPU time of a server and every process it forked (PostgreSQL runs a backend per connection), in
 * milliseconds: each process's own time plus that of its children that have exited.
 */
export function treeCpuMs(root: number): number {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => [Number(pid), statFields(pid)] as const)
    .filter((entry): entry is readonly [number, string[]] => entry[1] !== undefined);
  const children = new Map<number, number[]>();
  for (const [pid, fields] of stats) children.set(Number(fields[1]), [...(children.get(Number(fields[1])) ?? []), pid]);
  const byPid = new Map(stats);
  let ticks = 0;
  for (const pending = [root]; pending.length > 0;) {
    const pid = pending.pop()!;
    const fields = byPid.get(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    pending.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / CLOCK_TICKS_PER_S;
}
