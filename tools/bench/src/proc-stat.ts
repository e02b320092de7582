import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  ticks: number;
}

/** Parses one /proc/<pid>/stat line; the command name in parentheses may contain spaces. */
export function parseProcStat(line: string): ProcStat {
  const close = line.lastIndexOf(')');
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // Fields after the name, numbered as in proc(5) from field 3 (state) on.
  const fields = line
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, ppid: field(4), ticks: field(14) + field(15) + field(16) + field(17) };
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // gone between listing and reading
  }
}

function listProcStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** A process and all its living descendants (cluster workers); throws when the process is gone. */
function processTree(rootPid: number): ProcStat[] {
  const stats = listProcStats();
  const childrenOf = new Map<number, ProcStat[]>();
  for (const stat of stats) childrenOf.set(stat.ppid, [...(childrenOf.get(stat.ppid) ?? []), stat]);
  const root = stats.find((stat) => stat.pid === rootPid);
  if (!root) throw new Error(`process ${rootPid} is not running`);
  const tree: ProcStat[] = [];
  const queue = [root];
  for (let stat = queue.shift(); stat; stat = queue.shift()) {
    tree.push(stat);
    queue.push(...(childrenOf.get(stat.pid) ?? []));
  }
  return tree;
}

/**
 * CPU time (user + system) used so far by a process and its living descendants, in milliseconds. Descendants
 * already reaped are counted in their parent's cutime/cstime.
 */
export function processTreeCpuMs(rootPid: number): number {
  const ticks = processTree(rootPid).reduce((sum, stat) => sum + stat.ticks, 0);
  return (ticks * 1000) / clockTicksPerSecond();
}

/** How many processes make up the tree: 1 for a single process, more with cluster workers. */
export function processTreeSize(rootPid: number): number {
  return processTree(rootPid).length;
}

let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Resident memory of one process now and at its peak, in bytes (VmRSS and VmHWM of /proc/<pid>/status). */
export function processMemory(pid: number): { rssBytes: number; peakRssBytes: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssBytes: kilobytes('VmRSS') * 1024, peakRssBytes: kilobytes('VmHWM') * 1024 };
}
